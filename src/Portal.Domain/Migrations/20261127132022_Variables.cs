using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class Variables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "deployed_at",
                table: "application",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "restart_needed",
                table: "application",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "protected_password",
                table: "_database",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "variable",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: true),
                    environment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    application_id = table.Column<Guid>(type: "uuid", nullable: true),
                    scope = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    is_secret = table.Column<bool>(type: "boolean", nullable: false),
                    value = table.Column<string>(type: "text", nullable: true),
                    protected_value = table.Column<string>(type: "text", nullable: true),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_variable", x => x.id);
                    table.ForeignKey(
                        name: "fk_variable_application_application_id",
                        column: x => x.application_id,
                        principalTable: "application",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_variable_environment_environment_id",
                        column: x => x.environment_id,
                        principalTable: "environment",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_variable_organization_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organization",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_variable_project_project_id",
                        column: x => x.project_id,
                        principalTable: "project",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_variable_application_id",
                table: "variable",
                column: "application_id");

            migrationBuilder.CreateIndex(
                name: "ix_variable_environment_id",
                table: "variable",
                column: "environment_id");

            migrationBuilder.CreateIndex(
                name: "ix_variable_organization_id_project_id_environment_id_applicat",
                table: "variable",
                columns: new[] { "organization_id", "project_id", "environment_id", "application_id", "key" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_variable_project_id",
                table: "variable",
                column: "project_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "variable");

            migrationBuilder.DropColumn(
                name: "deployed_at",
                table: "application");

            migrationBuilder.DropColumn(
                name: "restart_needed",
                table: "application");

            migrationBuilder.DropColumn(
                name: "protected_password",
                table: "_database");
        }
    }
}
