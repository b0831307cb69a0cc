using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class BillingCosts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "billing_month",
                columns: table => new
                {
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    month = table.Column<DateOnly>(type: "date", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    usage_cents = table.Column<long>(type: "bigint", nullable: false),
                    plan_fee_cents = table.Column<long>(type: "bigint", nullable: false),
                    credit_cents = table.Column<long>(type: "bigint", nullable: false),
                    computed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_month", x => new { x.organization_id, x.month });
                    table.ForeignKey(
                        name: "fk_billing_month_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organization",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "billing_plan",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    trial_days = table.Column<int>(type: "integer", nullable: false),
                    monthly_price_cents = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    monthly_deployment_quota = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_plan", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "budget_alert",
                columns: table => new
                {
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    month = table.Column<DateOnly>(type: "date", nullable: false),
                    level = table.Column<int>(type: "integer", nullable: false),
                    cost_cents = table.Column<long>(type: "bigint", nullable: false),
                    budget_cents = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    mailed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_budget_alert", x => new { x.organization_id, x.month, x.level });
                    table.ForeignKey(
                        name: "fk_budget_alert_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organization",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cluster_price",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    cluster_id = table.Column<Guid>(type: "uuid", nullable: true),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    cpu_core_second_cents = table.Column<decimal>(type: "numeric(20,12)", precision: 20, scale: 12, nullable: false),
                    memory_gb_second_cents = table.Column<decimal>(type: "numeric(20,12)", precision: 20, scale: 12, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cluster_price", x => x.id);
                    table.ForeignKey(
                        name: "fk_cluster_price_clusters_cluster_id",
                        column: x => x.cluster_id,
                        principalTable: "cluster",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "credit_code",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    amount_cents = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credit_code", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "environment_month_cost",
                columns: table => new
                {
                    month = table.Column<DateOnly>(type: "date", nullable: false),
                    environment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    cluster_id = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    environment_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    consumed_seconds = table.Column<long>(type: "bigint", nullable: false),
                    amount_exact_cents = table.Column<decimal>(type: "numeric(30,12)", precision: 30, scale: 12, nullable: false),
                    amount_cents = table.Column<long>(type: "bigint", nullable: false),
                    computed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_environment_month_cost", x => new { x.month, x.environment_id, x.cluster_id });
                    table.ForeignKey(
                        name: "fk_environment_month_cost_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organization",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "service_running_interval",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    environment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    cluster_id = table.Column<Guid>(type: "uuid", nullable: false),
                    service_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    environment_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    deployment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    cpu = table.Column<decimal>(type: "numeric(10,3)", precision: 10, scale: 3, nullable: false),
                    memory_mb = table.Column<int>(type: "integer", nullable: false),
                    instances = table.Column<int>(type: "integer", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_service_running_interval", x => x.id);
                    table.ForeignKey(
                        name: "fk_service_running_interval_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organization",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "billing_account",
                columns: table => new
                {
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    plan_code = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    trial_started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    budget_cents = table.Column<long>(type: "bigint", nullable: true),
                    info = table.Column<string>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_billing_account", x => x.organization_id);
                    table.ForeignKey(
                        name: "fk_billing_account_billing_plan_plan_code",
                        column: x => x.plan_code,
                        principalTable: "billing_plan",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_billing_account_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organization",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "credit_redemption",
                columns: table => new
                {
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    code = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    amount_cents = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    redeemed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credit_redemption", x => new { x.organization_id, x.code });
                    table.ForeignKey(
                        name: "fk_credit_redemption_credit_code_code",
                        column: x => x.code,
                        principalTable: "credit_code",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_credit_redemption_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organization",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "billing_plan",
                columns: new[] { "code", "currency", "monthly_deployment_quota", "monthly_price_cents", "name", "trial_days" },
                values: new object[,]
                {
                    { "COMMUNITY", "EUR", null, 0L, "Community", 14 },
                    { "TEAM", "EUR", 100, 4900L, "Team", 0 }
                });

            migrationBuilder.InsertData(
                table: "cluster_price",
                columns: new[] { "id", "cluster_id", "cpu_core_second_cents", "currency", "memory_gb_second_cents" },
                values: new object[] { new Guid("0193a000-0000-7000-8000-000000000001"), null, 0.0012m, "EUR", 0.0004m });

            migrationBuilder.InsertData(
                table: "credit_code",
                columns: new[] { "code", "amount_cents", "currency", "expires_at" },
                values: new object[] { "WELCOME-50", 5000L, "EUR", null });

            migrationBuilder.Sql(Platform.Domain.Billing.BillingSeed.ForExistingRows);

            migrationBuilder.CreateIndex(
                name: "ix_billing_account_plan_code",
                table: "billing_account",
                column: "plan_code");

            migrationBuilder.CreateIndex(
                name: "ix_cluster_price_cluster_id_currency",
                table: "cluster_price",
                columns: new[] { "cluster_id", "currency" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_credit_redemption_code",
                table: "credit_redemption",
                column: "code");

            migrationBuilder.CreateIndex(
                name: "ix_environment_month_cost_organization_id_month",
                table: "environment_month_cost",
                columns: new[] { "organization_id", "month" });

            migrationBuilder.CreateIndex(
                name: "ix_service_running_interval_organization_id",
                table: "service_running_interval",
                column: "organization_id");

            migrationBuilder.CreateIndex(
                name: "ix_service_running_interval_service_id",
                table: "service_running_interval",
                column: "service_id",
                filter: "ended_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_service_running_interval_started_at_ended_at",
                table: "service_running_interval",
                columns: new[] { "started_at", "ended_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "billing_account");

            migrationBuilder.DropTable(
                name: "billing_month");

            migrationBuilder.DropTable(
                name: "budget_alert");

            migrationBuilder.DropTable(
                name: "cluster_price");

            migrationBuilder.DropTable(
                name: "credit_redemption");

            migrationBuilder.DropTable(
                name: "environment_month_cost");

            migrationBuilder.DropTable(
                name: "service_running_interval");

            migrationBuilder.DropTable(
                name: "billing_plan");

            migrationBuilder.DropTable(
                name: "credit_code");
        }
    }
}
