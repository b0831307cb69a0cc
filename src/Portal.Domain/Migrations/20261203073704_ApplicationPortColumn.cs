using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class ApplicationPortColumn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "port",
                table: "application",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            // Existing applications: the port their settings document holds (the entity keeps the two equal from now on).
            migrationBuilder.Sql("UPDATE application SET port = COALESCE((settings->>'port')::int, 0);");
            // The default only filled the existing rows: a row written without the entity must not answer PORT=0.
            migrationBuilder.Sql("ALTER TABLE application ALTER COLUMN port DROP DEFAULT;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "port",
                table: "application");
        }
    }
}
