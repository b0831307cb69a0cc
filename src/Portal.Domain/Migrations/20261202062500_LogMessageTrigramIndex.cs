using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <summary>
    /// The logs' text filter (LogFilter: lower(message) LIKE '%text%') reads a trigram index instead of every line of
    /// the service: pg_trgm ships with Debian's postgresql package and is a trusted extension (the database's owner may
    /// create it). An expression index, which EF Core's model cannot describe, so it lives here only.
    /// </summary>
    public partial class LogMessageTrigramIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql("CREATE INDEX ix_log_line_message_trgm ON log_line USING gin (lower(message) gin_trgm_ops);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_log_line_message_trgm;");
        }
    }
}
