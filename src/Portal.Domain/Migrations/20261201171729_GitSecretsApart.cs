using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class GitSecretsApart : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "protected_git_secret",
                table: "service_deployment",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "protected_git_secret",
                table: "application",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "protected_git_secret",
                table: "service_deployment");

            migrationBuilder.DropColumn(
                name: "protected_git_secret",
                table: "application");
        }
    }
}
