using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class InvitationTokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "protected_token",
                table: "invitation",
                type: "text",
                nullable: true);

            // Links made before this carried no secret, and nothing can accept them now: show them as expired,
            // so that the organization's admins send new ones (re-inviting an expired address replaces it).
            migrationBuilder.Sql("UPDATE invitation SET expires_at = now() WHERE accepted_at IS NULL AND expires_at > now();");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "protected_token",
                table: "invitation");
        }
    }
}
