using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class Addons : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "addon_delivery",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    @event = table.Column<string>(name: "event", type: "character varying(40)", maxLength: 40, nullable: false),
                    environment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    source_event_id = table.Column<Guid>(type: "uuid", nullable: true),
                    payload = table.Column<string>(type: "jsonb", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    attempt_started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    http_status = table.Column<int>(type: "integer", nullable: true),
                    error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    duration_ms = table.Column<int>(type: "integer", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_addon_delivery", x => x.id);
                    table.UniqueConstraint("ak_addon_delivery_sequence", x => x.sequence);
                    table.ForeignKey(
                        name: "fk_addon_delivery_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "project",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "addon_outbox",
                columns: table => new
                {
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_addon_outbox", x => x.event_id);
                });

            migrationBuilder.CreateTable(
                name: "project_addon",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    matching_environments_regex = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    settings = table.Column<string>(type: "jsonb", nullable: false),
                    protected_secrets = table.Column<string>(type: "text", nullable: true),
                    installed_by = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_project_addon", x => x.id);
                    table.ForeignKey(
                        name: "fk_project_addon_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "project",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_addon_delivery_project_id_kind_sequence",
                table: "addon_delivery",
                columns: new[] { "project_id", "kind", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_addon_delivery_project_id_sequence",
                table: "addon_delivery",
                columns: new[] { "project_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_addon_delivery_source_event_id_kind",
                table: "addon_delivery",
                columns: new[] { "source_event_id", "kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_addon_delivery_status_next_attempt_at",
                table: "addon_delivery",
                columns: new[] { "status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_project_addon_project_id_kind",
                table: "project_addon",
                columns: new[] { "project_id", "kind" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "addon_delivery");

            migrationBuilder.DropTable(
                name: "addon_outbox");

            migrationBuilder.DropTable(
                name: "project_addon");
        }
    }
}
