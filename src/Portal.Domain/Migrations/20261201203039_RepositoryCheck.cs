using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class RepositoryCheck : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "auto_deployed_commit_id",
                table: "application",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "latest_commit_id",
                table: "application",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "repository_checked_at",
                table: "application",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "repository_error",
                table: "application",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "auto_deployed_commit_id",
                table: "application");

            migrationBuilder.DropColumn(
                name: "latest_commit_id",
                table: "application");

            migrationBuilder.DropColumn(
                name: "repository_checked_at",
                table: "application");

            migrationBuilder.DropColumn(
                name: "repository_error",
                table: "application");
        }
    }
}
