using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class Deployments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "live_deployment_id",
                table: "application",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "live_deployment_id",
                table: "_database",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "environment_deployment",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    environment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    state = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    rollback_of_id = table.Column<Guid>(type: "uuid", nullable: true),
                    snapshot = table.Column<string>(type: "jsonb", nullable: true),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_environment_deployment", x => x.id);
                    table.UniqueConstraint("ak_environment_deployment_sequence", x => x.sequence);
                    table.ForeignKey(
                        name: "fk_environment_deployment_environments_environment_id",
                        column: x => x.environment_id,
                        principalTable: "environment",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "log_line",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    service_id = table.Column<Guid>(type: "uuid", nullable: false),
                    deployment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    instance = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    stream = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    message = table.Column<string>(type: "character varying(8192)", maxLength: 8192, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_log_line", x => x.id);
                    table.UniqueConstraint("ak_log_line_sequence", x => x.sequence);
                    table.ForeignKey(
                        name: "fk_log_line_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organization",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "service_deployment",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    environment_deployment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    environment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    service_type = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    service_id = table.Column<Guid>(type: "uuid", nullable: false),
                    service_name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    action = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    state = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    requested_commit_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    source_deployment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    commit_short_id = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: true),
                    commit_long_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    commit_message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    settings = table.Column<string>(type: "jsonb", nullable: true),
                    protected_variables = table.Column<string>(type: "text", nullable: true),
                    build_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    previous_state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    previous_message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    steps = table.Column<string>(type: "jsonb", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_service_deployment", x => x.id);
                    table.UniqueConstraint("ak_service_deployment_sequence", x => x.sequence);
                    table.ForeignKey(
                        name: "fk_service_deployment_environment_deployment_environment_deplo",
                        column: x => x.environment_deployment_id,
                        principalTable: "environment_deployment",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_environment_deployment_environment_id_sequence",
                table: "environment_deployment",
                columns: new[] { "environment_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_environment_deployment_state",
                table: "environment_deployment",
                column: "state",
                filter: "state IN ('Queued', 'DeploymentInProgress', 'Aborting')");

            migrationBuilder.CreateIndex(
                name: "ix_log_line_deployment_id_sequence",
                table: "log_line",
                columns: new[] { "deployment_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_log_line_organization_id",
                table: "log_line",
                column: "organization_id");

            migrationBuilder.CreateIndex(
                name: "ix_log_line_service_id_sequence",
                table: "log_line",
                columns: new[] { "service_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_service_deployment_environment_deployment_id",
                table: "service_deployment",
                column: "environment_deployment_id");

            migrationBuilder.CreateIndex(
                name: "ix_service_deployment_service_id_sequence",
                table: "service_deployment",
                columns: new[] { "service_id", "sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "log_line");

            migrationBuilder.DropTable(
                name: "service_deployment");

            migrationBuilder.DropTable(
                name: "environment_deployment");

            migrationBuilder.DropColumn(
                name: "live_deployment_id",
                table: "application");

            migrationBuilder.DropColumn(
                name: "live_deployment_id",
                table: "_database");
        }
    }
}
