using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class Metrics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "application_sample",
                columns: table => new
                {
                    application_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ready_instances = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_application_sample", x => new { x.application_id, x.at });
                    table.ForeignKey(
                        name: "fk_application_sample_application_application_id",
                        column: x => x.application_id,
                        principalTable: "application",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "instance_sample",
                columns: table => new
                {
                    application_id = table.Column<Guid>(type: "uuid", nullable: false),
                    slot = table.Column<int>(type: "integer", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    cpu_cores = table.Column<double>(type: "double precision", nullable: false),
                    memory_mb = table.Column<double>(type: "double precision", nullable: false),
                    storage_gb = table.Column<double>(type: "double precision", nullable: true),
                    probe_passed = table.Column<bool>(type: "boolean", nullable: true),
                    probe_latency_ms = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_instance_sample", x => new { x.application_id, x.slot, x.at });
                    table.ForeignKey(
                        name: "fk_instance_sample_application_application_id",
                        column: x => x.application_id,
                        principalTable: "application",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "metric_rollup",
                columns: table => new
                {
                    application_id = table.Column<Guid>(type: "uuid", nullable: false),
                    metric = table.Column<int>(type: "integer", nullable: false),
                    bucket_seconds = table.Column<int>(type: "integer", nullable: false),
                    bucket_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    slot = table.Column<int>(type: "integer", nullable: false),
                    sum = table.Column<double>(type: "double precision", nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false),
                    min = table.Column<double>(type: "double precision", nullable: false),
                    max = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_metric_rollup", x => new { x.application_id, x.bucket_seconds, x.metric, x.bucket_start, x.slot });
                    table.ForeignKey(
                        name: "fk_metric_rollup_application_application_id",
                        column: x => x.application_id,
                        principalTable: "application",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_application_sample_at",
                table: "application_sample",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_instance_sample_at",
                table: "instance_sample",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_metric_rollup_bucket_seconds_bucket_start",
                table: "metric_rollup",
                columns: new[] { "bucket_seconds", "bucket_start" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "application_sample");

            migrationBuilder.DropTable(
                name: "instance_sample");

            migrationBuilder.DropTable(
                name: "metric_rollup");
        }
    }
}
