using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class HistoryIndexesIncludeOrganization : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_log_line_service_id_sequence",
                table: "log_line");

            migrationBuilder.DropIndex(
                name: "ix_event_environment_id_sequence",
                table: "event");

            migrationBuilder.DropIndex(
                name: "ix_event_service_id_sequence",
                table: "event");

            migrationBuilder.CreateIndex(
                name: "ix_log_line_service_id_sequence",
                table: "log_line",
                columns: new[] { "service_id", "sequence" })
                .Annotation("Npgsql:IndexInclude", new[] { "organization_id" });

            migrationBuilder.CreateIndex(
                name: "ix_event_environment_id_sequence",
                table: "event",
                columns: new[] { "environment_id", "sequence" })
                .Annotation("Npgsql:IndexInclude", new[] { "organization_id" });

            migrationBuilder.CreateIndex(
                name: "ix_event_service_id_sequence",
                table: "event",
                columns: new[] { "service_id", "sequence" })
                .Annotation("Npgsql:IndexInclude", new[] { "organization_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_log_line_service_id_sequence",
                table: "log_line");

            migrationBuilder.DropIndex(
                name: "ix_event_environment_id_sequence",
                table: "event");

            migrationBuilder.DropIndex(
                name: "ix_event_service_id_sequence",
                table: "event");

            migrationBuilder.CreateIndex(
                name: "ix_log_line_service_id_sequence",
                table: "log_line",
                columns: new[] { "service_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_event_environment_id_sequence",
                table: "event",
                columns: new[] { "environment_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_event_service_id_sequence",
                table: "event",
                columns: new[] { "service_id", "sequence" });
        }
    }
}
