using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Domain.Migrations
{
    /// <inheritdoc />
    public partial class HistoryCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "history_count",
                columns: table => new
                {
                    list = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    entries = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_history_count", x => new { x.list, x.owner_id });
                });

            // One function for the three tables: its arguments are pairs (list, owner column). Per statement, it groups
            // the rows the statement inserted or deleted (the transition table "changed") by owner and adds or takes off
            // their number; a counter that reaches zero goes, so a deleted environment leaves no rows behind. Inserts
            // lock counter rows in (list, owner) order, so two writers never wait on each other in a cycle; the
            // increments are row updates (entries = entries + n), so concurrent writers lose none.
            migrationBuilder.Sql("""
                CREATE FUNCTION history_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    counted text := '';
                BEGIN
                    IF TG_OP = 'TRUNCATE' THEN
                        FOR i IN 0 .. TG_NARGS / 2 - 1 LOOP
                            DELETE FROM history_count WHERE list = TG_ARGV[2 * i];
                        END LOOP;
                        RETURN NULL;
                    END IF;
                    FOR i IN 0 .. TG_NARGS / 2 - 1 LOOP
                        counted := counted || CASE WHEN i > 0 THEN ' UNION ALL ' ELSE '' END
                            || format('SELECT %L::varchar AS list, %I AS owner_id, count(*) AS n FROM changed WHERE %I IS NOT NULL GROUP BY %I',
                                      TG_ARGV[2 * i], TG_ARGV[2 * i + 1], TG_ARGV[2 * i + 1], TG_ARGV[2 * i + 1]);
                    END LOOP;
                    IF TG_OP = 'INSERT' THEN
                        EXECUTE 'INSERT INTO history_count (list, owner_id, entries) SELECT list, owner_id, n FROM (' || counted
                            || ') c ORDER BY list, owner_id ON CONFLICT (list, owner_id) DO UPDATE SET entries = history_count.entries + excluded.entries';
                    ELSE
                        EXECUTE 'UPDATE history_count h SET entries = h.entries - c.n FROM (' || counted
                            || ') c WHERE h.list = c.list AND h.owner_id = c.owner_id';
                        EXECUTE 'DELETE FROM history_count h USING (' || counted
                            || ') c WHERE h.list = c.list AND h.owner_id = c.owner_id AND h.entries <= 0';
                    END IF;
                    RETURN NULL;
                END $$;
                """);

            foreach (var (table, lists) in Counted)
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER history_count_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS changed
                        FOR EACH STATEMENT EXECUTE FUNCTION history_count_change({lists});
                    CREATE TRIGGER history_count_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS changed
                        FOR EACH STATEMENT EXECUTE FUNCTION history_count_change({lists});
                    CREATE TRIGGER history_count_truncate AFTER TRUNCATE ON {table}
                        FOR EACH STATEMENT EXECUTE FUNCTION history_count_change({lists});
                    """);
            }

            // The existing rows, counted after the triggers exist: creating a trigger locks its table against writers
            // until this migration's transaction commits, so no row is counted twice or missed.
            migrationBuilder.Sql("""
                INSERT INTO history_count (list, owner_id, entries)
                SELECT 'event_environment', environment_id, count(*) FROM event WHERE environment_id IS NOT NULL GROUP BY environment_id
                UNION ALL SELECT 'event_service', service_id, count(*) FROM event GROUP BY service_id
                UNION ALL SELECT 'event_organization', organization_id, count(*) FROM event GROUP BY organization_id
                UNION ALL SELECT 'environment_deployment', environment_id, count(*) FROM environment_deployment GROUP BY environment_id
                UNION ALL SELECT 'service_deployment', service_id, count(*) FROM service_deployment GROUP BY service_id;
                """);
        }

        /// <summary>The counted tables and, for each, its lists as (list, owner column) pairs; names as in HistoryList.</summary>
        private static readonly (string Table, string Lists)[] Counted =
        [
            ("event", "'event_environment', 'environment_id', 'event_service', 'service_id', 'event_organization', 'organization_id'"),
            ("environment_deployment", "'environment_deployment', 'environment_id'"),
            ("service_deployment", "'service_deployment', 'service_id'"),
        ];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, _) in Counted)
            {
                migrationBuilder.Sql($"""
                    DROP TRIGGER history_count_insert ON {table};
                    DROP TRIGGER history_count_delete ON {table};
                    DROP TRIGGER history_count_truncate ON {table};
                    """);
            }

            migrationBuilder.Sql("DROP FUNCTION history_count_change();");
            migrationBuilder.DropTable(
                name: "history_count");
        }
    }
}
