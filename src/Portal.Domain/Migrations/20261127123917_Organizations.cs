using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class Organizations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "organization_id",
                table: "api_token",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "role",
                table: "api_token",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_activity_at",
                table: "_user",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "referral_code",
                table: "_user",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "referred_by_id",
                table: "_user",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "organization",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_organization", x => x.id);
                    table.ForeignKey(
                        name: "fk_organization_asp_net_users_owner_id",
                        column: x => x.owner_id,
                        principalTable: "_user",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "invitation",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    role = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    invited_by_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    accepted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invitation", x => x.id);
                    table.ForeignKey(
                        name: "fk_invitation_asp_net_users_invited_by_id",
                        column: x => x.invited_by_id,
                        principalTable: "_user",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_invitation_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organization",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "organization_member",
                columns: table => new
                {
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    role = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_organization_member", x => new { x.organization_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_organization_member_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "_user",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_organization_member_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organization",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_token_organization_id",
                table: "api_token",
                column: "organization_id");

            migrationBuilder.CreateIndex(
                name: "ix__user_referral_code",
                table: "_user",
                column: "referral_code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix__user_referred_by_id",
                table: "_user",
                column: "referred_by_id");

            migrationBuilder.CreateIndex(
                name: "ix_invitation_invited_by_id",
                table: "invitation",
                column: "invited_by_id");

            migrationBuilder.CreateIndex(
                name: "ix_invitation_organization_id_email",
                table: "invitation",
                columns: new[] { "organization_id", "email" });

            migrationBuilder.CreateIndex(
                name: "ix_organization_owner_id",
                table: "organization",
                column: "owner_id");

            migrationBuilder.CreateIndex(
                name: "ix_organization_member_user_id",
                table: "organization_member",
                column: "user_id");

            migrationBuilder.AddForeignKey(
                name: "fk__user__user_referred_by_id",
                table: "_user",
                column: "referred_by_id",
                principalTable: "_user",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "fk_api_token_organization_organization_id",
                table: "api_token",
                column: "organization_id",
                principalTable: "organization",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk__user__user_referred_by_id",
                table: "_user");

            migrationBuilder.DropForeignKey(
                name: "fk_api_token_organization_organization_id",
                table: "api_token");

            migrationBuilder.DropTable(
                name: "invitation");

            migrationBuilder.DropTable(
                name: "organization_member");

            migrationBuilder.DropTable(
                name: "organization");

            migrationBuilder.DropIndex(
                name: "ix_api_token_organization_id",
                table: "api_token");

            migrationBuilder.DropIndex(
                name: "ix__user_referral_code",
                table: "_user");

            migrationBuilder.DropIndex(
                name: "ix__user_referred_by_id",
                table: "_user");

            migrationBuilder.DropColumn(
                name: "organization_id",
                table: "api_token");

            migrationBuilder.DropColumn(
                name: "role",
                table: "api_token");

            migrationBuilder.DropColumn(
                name: "last_activity_at",
                table: "_user");

            migrationBuilder.DropColumn(
                name: "referral_code",
                table: "_user");

            migrationBuilder.DropColumn(
                name: "referred_by_id",
                table: "_user");
        }
    }
}
