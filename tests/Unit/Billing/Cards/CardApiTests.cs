using System.Net;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Tests.Billing.Cards;

public sealed class CardApiTests(InvoicePortal billing) : IClassFixture<InvoicePortal>
{
    [Fact]
    public async Task AddCard_AnswersItMasked_AsTheDefault_AndListsIt()
    {
        var organization = await billing.NewOrganizationAsync();

        var card = await organization.AddCardAsync(InvoiceSteps.Visa);
        var listed = await organization.Owner.GetResultsAsync($"/api/organization/{organization.Id}/creditCard");

        Assert.Equal(("4242", "visa", true, false), (card.Text("last_digit"), card.Text("brand"), card["is_default"]!.GetValue<bool>(), card["is_expired"]!.GetValue<bool>()));
        Assert.Null(card["number"]);
        Assert.Null(card["cvv"]);
        Assert.Equal(card.Id(), Assert.Single(listed)!.AsObject().Id());
    }

    [Theory]
    [InlineData("4242 4242 4242 4241", "123", 12, "number")]
    [InlineData("4242 4242 4242 4242", "12", 12, "cvv")]
    [InlineData("4242 4242 4242 4242", "123", 13, "expiry_month")]
    public async Task AddCard_WithABadField_Answers400NamingIt_WithoutEchoingTheCard(string number, string cvv, int month, string field)
    {
        var organization = await billing.NewOrganizationAsync();

        var response = await organization.Owner.PostCardAsync(organization.Id, number, cvv, month);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("4242", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddCard_FiveAtOnce_AllTaken_AndExactlyOneIsTheDefault()
    {
        var organization = await billing.NewOrganizationAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => organization.Owner.PostCardAsync(organization.Id, InvoiceSteps.Visa)));
        var listed = await organization.Owner.GetResultsAsync($"/api/organization/{organization.Id}/creditCard");

        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode}"));
        Assert.Equal(5, listed.Count);
        Assert.Single(listed, c => c!["is_default"]!.GetValue<bool>());
    }

    [Fact]
    public async Task AddCard_PastTenChecksInAnHour_Answers429OnTheNumber_UntilTheHourHasPassed()
    {
        var organization = await billing.NewOrganizationAsync();
        for (var i = 0; i < Domain.Billing.BillingAttempts.PerHour; i++)
        {
            await organization.Owner.PostCardAsync(organization.Id, InvoiceSteps.Declined);
        }

        var refused = await organization.Owner.PostCardAsync(organization.Id, InvoiceSteps.Visa);
        var body = await refused.Content.ReadAsStringAsync();
        billing.Clock.Advance(TimeSpan.FromMinutes(61));
        var later = await organization.Owner.PostCardAsync(organization.Id, InvoiceSteps.Visa);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("\"number\"", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
    }

    [Fact]
    public async Task AddCard_WithTheNumberAsAJsonNumber_Answers400_WithoutEchoingIt()
    {
        var organization = await billing.NewOrganizationAsync();

        var response = await organization.Owner.PostAsync($"/api/organization/{organization.Id}/creditCard", new StringContent(
            "{\"number\": 4242424242424242, \"cvv\": \"123\", \"expiry_month\": 12, \"expiry_year\": 2040}", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("4242", body, StringComparison.Ordinal);
        Assert.DoesNotContain(billing.Log.Entries, e => e.Message.Contains("4242424242424242", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddCard_ExpiredByTheClock_Answers400NamingTheExpiry()
    {
        var organization = await billing.NewOrganizationAsync();
        var lastMonth = billing.Clock.GetUtcNow().AddMonths(-1);

        var response = await organization.Owner.PostCardAsync(organization.Id, InvoiceSteps.Visa, month: lastMonth.Month, year: lastMonth.Year);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"expiry_year\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddCard_TheDeclinedTestCard_Answers400FromTheGateway()
    {
        var organization = await billing.NewOrganizationAsync();

        var response = await organization.Owner.PostCardAsync(organization.Id, InvoiceSteps.Declined);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("declined", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteCard_Answers204_AndTheNewestCardLeftBecomesTheDefault()
    {
        var organization = await billing.NewOrganizationAsync();
        var first = await organization.AddCardAsync("5555 5555 5555 4444");
        var second = await organization.AddCardAsync(InvoiceSteps.Visa);

        var deleted = await organization.Owner.DeleteAsync($"/api/creditCard/{second.Id()}");
        var left = Assert.Single(await organization.Owner.GetResultsAsync($"/api/organization/{organization.Id}/creditCard"))!;

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal((first.Id(), true), (left.AsObject().Id(), left["is_default"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task AddedCard_ItsNumberAndCvvAreInNoColumnOfTheDatabase_AndInNoLogLine()
    {
        const string Number = "5555555555554444";
        const string Cvv = "7319";
        var organization = await billing.NewOrganizationAsync();

        await organization.AddCardAsync("5555 5555 5555 4444", Cvv);

        var found = await FindInDatabaseAsync(billing.Portal.ConnectionString, Number, Cvv);
        Assert.True(found.Count == 0, $"Found in {string.Join(", ", found)}");
        Assert.DoesNotContain(billing.Log.Entries, e => e.Message.Replace(" ", "", StringComparison.Ordinal).Contains(Number, StringComparison.Ordinal) || InvoiceSteps.ContainsStandalone(e.Message, Cvv));
        Assert.NotEmpty(found.Scanned);
    }

    /// <summary>Every text, varchar and json column of every table (Hangfire's included) that holds the number or the CVV on its own.</summary>
    private static async Task<ScanResult> FindInDatabaseAsync(string connectionString, string number, string cvv)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var columns = new List<(string Schema, string Table, string Column)>();
        await using (var command = new NpgsqlCommand("""
            SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
              AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        var found = new ScanResult { Scanned = columns.Select(c => $"{c.Table}.{c.Column}").ToList() };
        foreach (var (schema, table, column) in columns)
        {
            await using var command = new NpgsqlCommand(
                $"SELECT count(*) FROM \"{schema}\".\"{table}\" WHERE replace(\"{column}\"::text, ' ', '') LIKE @number OR \"{column}\"::text ~ @cvv", connection);
            command.Parameters.AddWithValue("number", $"%{number}%");
            command.Parameters.AddWithValue("cvv", $"(^|[^0-9A-Za-z]){cvv}([^0-9A-Za-z]|$)");
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                found.Add($"{schema}.{table}.{column}");
            }
        }

        return found;
    }

    private sealed class ScanResult : List<string>
    {
        public required IReadOnlyList<string> Scanned { get; init; }
    }
}
