using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Platform.Tests.Billing;
using Platform.Tests.Support;
using Xunit.Abstractions;

namespace Platform.Tests.Infrastructure;

/// <summary>
/// The house rule, across the whole API: bad input gets a clear 400 problem-details answer, never a 500 and never
/// a stack trace; other organizations' ids answer 404. Every /api operation the OpenAPI document lists is called
/// as an owner with broken bodies, broken or unknown or foreign path ids and broken history paging. Each request
/// is a row named "METHOD url · case"; a fact sends all its rows, then lists every failing one at once.
/// </summary>
public sealed class BadInputTests(PortalFactory portal, ITestOutputHelper output) : IClassFixture<PortalFactory>, IAsyncLifetime
{
    private static readonly string Huge = new('x', 10_000);
    private static readonly string[] StackTraceMarkers = ["   at ", ".cs:line", "Exception"];

    private Setup _setup = null!;

    public async Task InitializeAsync() => _setup = await portal.SharedAsync(Setup.CreateAsync);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task EveryJsonBody_BrokenOrWronglyTyped_Answers400Problem()
    {
        var operations = Operations().Where(o => o.BodySchema is not null).ToList();
        Assert.True(operations.Count >= 30, $"the document lists only {operations.Count} operations with a JSON body");

        var rows = new List<Row>();
        foreach (var operation in operations)
        {
            var url = Fill(operation.Path, _setup.Ours);
            rows.AddRange(WholeBodyCases(operation, url));
            var schema = Resolve(operation.BodySchema!);
            foreach (var (path, field) in Fields(schema, []))
            {
                foreach (var (name, value, expect) in FieldCases(field))
                {
                    var body = With(BaseBody(operation), path, value);
                    rows.Add(new Row(operation, url, $"{string.Join('.', path)} = {name}", Json(body), expect));
                }

                // A reference to something of another organization is as unknown as a random id: never a success.
                if (field == FieldKind.Uuid && ReferenceIn(path[^1], _setup.Theirs) is { } foreign)
                {
                    var body = With(BaseBody(operation), path, foreign.ToString());
                    rows.Add(new Row(operation, url, $"{string.Join('.', path)} = another organization's id", Json(body), Expect.NotFoundOrBadRequest));
                }
            }
        }

        await RunAsync(rows);
    }

    [Fact]
    public async Task EveryPathId_NotAGuidOrUnknown_Answers404Problem()
    {
        var rows = new List<Row>();
        foreach (var operation in Operations().Where(o => Placeholders(o.Path).Any()).OrderBy(DeletesLast))
        {
            var body = operation.BodySchema is null ? null : Json(BaseBody(operation));
            foreach (var placeholder in Placeholders(operation.Path))
            {
                rows.Add(new Row(operation, Fill(operation.Path, _setup.Ours, (placeholder, "not-a-guid")), $"{{{placeholder}}} = not-a-guid", body, Expect.NotFoundOrBadRequest));
                rows.Add(new Row(operation, Fill(operation.Path, _setup.Ours, (placeholder, Guid.NewGuid().ToString())), $"{{{placeholder}}} = unknown guid", body, Expect.NotFound));
            }
        }

        Assert.True(rows.Count >= 120, $"only {rows.Count} path-id rows: the document lost its ids");
        await RunAsync(rows);
    }

    [Fact]
    public async Task EveryPathId_OfAnotherOrganization_Answers404Problem()
    {
        var rows = new List<Row>();
        foreach (var operation in Operations().Where(o => Placeholders(o.Path).Any()).OrderBy(DeletesLast))
        {
            var body = operation.BodySchema is null ? null : Json(BaseBody(operation));
            // An addon's name is the same in every organization: only ids can be another organization's.
            foreach (var placeholder in Placeholders(operation.Path).Where(p => p != "name"))
            {
                var foreign = IdFor(operation.Path, placeholder, _setup.Theirs)
                    ?? throw new InvalidOperationException($"No id is known for {{{placeholder}}} in {operation.Path}: teach BadInputTests.IdFor its kind.");
                var url = Fill(operation.Path, _setup.Ours, (placeholder, foreign));
                rows.Add(new Row(operation, url, $"{{{placeholder}}} of another organization", body, Expect.NotFound));
            }
        }

        await RunAsync(rows);
    }

    [Fact]
    public async Task EveryHistoryAndQueryParameter_BadValue_Answers400Problem()
    {
        var rows = new List<Row>();
        var operations = Operations().ToList();
        var histories = operations.Where(o => o.Method == "GET" && o.Path.EndsWith("/event", StringComparison.Ordinal)).ToList();
        Assert.True(histories.Count >= 3, $"the document lists only {histories.Count} history endpoints");
        string[] paging =
        [
            "tail=abc", "tail=-1", "tail=0", "tail=100000", "tail=1.5", "tail=", "page=0", "page=-1", "page=abc", "page=99999999999",
            "lastId=xyz", $"lastId={Guid.NewGuid()}", "tail=abc&page=0&lastId=xyz",
        ];
        foreach (var operation in histories)
        {
            var url = Fill(operation.Path, _setup.Ours);
            rows.AddRange(paging.Select(query => new Row(operation, $"{url}?{query}", query, null, Expect.BadRequest)));
        }

        // Query parameters the document declares (e.g. archived): a value of the wrong type, or, for free text, one
        // character over the length the document gives.
        foreach (var operation in operations)
        {
            foreach (var parameter in (operation.Spec["parameters"] as JsonArray ?? []).Where(p => p!["in"]!.GetValue<string>() == "query"))
            {
                var name = parameter!["name"]!.GetValue<string>();
                var value = BadQueryValue(parameter["schema"] as JsonObject);
                var url = $"{Fill(operation.Path, _setup.Ours)}?{name}={value}";
                var body = operation.BodySchema is null ? null : Json(BaseBody(operation));
                rows.Add(new Row(operation, url, $"{name}={(value.Length > 20 ? $"<{value.Length} characters>" : value)}", body, Expect.BadRequest));
            }
        }

        await RunAsync(rows);
    }

    /// <summary>Free text (a string with only a short length) is bad when too long; anything else is bad as "not-a-value".</summary>
    private static string BadQueryValue(JsonObject? schema) =>
        schema is not null && schema["type"]?.GetValue<string>() == "string" && schema["format"] is null && schema["enum"] is null
            && schema["pattern"] is null && schema["maxLength"] is { } maxLength && maxLength.GetValue<int>() < 1000
            ? new string('x', maxLength.GetValue<int>() + 1)
            : "not-a-value";

    // ---- rows: what is sent and what must come back ----

    private enum Expect
    {
        /// <summary>400 problem details.</summary>
        BadRequest,

        /// <summary>404 problem details.</summary>
        NotFound,

        /// <summary>404 (a route constraint) or 400.</summary>
        NotFoundOrBadRequest,

        /// <summary>415 or 400 (a body that is not JSON).</summary>
        UnsupportedOrBadRequest,

        /// <summary>Any answer but a 5xx: the input may be acceptable (e.g. a long description, a null that keeps a value).</summary>
        Handled,
    }

    /// <summary>One request; a failure names it "METHOD url · case", the case naming the property and the value.</summary>
    private sealed record Row(Operation Operation, string Url, string Case, Body? Body, Expect Expect);

    private sealed record Body(string Text, string MediaType = "application/json");

    private async Task RunAsync(IReadOnlyList<Row> rows)
    {
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        var client = _setup.Ours.Catalogue.Owner;
        foreach (var row in rows)
        {
            using var request = new HttpRequestMessage(new HttpMethod(row.Operation.Method), row.Url);
            if (row.Body is { } body)
            {
                request.Content = new StringContent(body.Text, Encoding.UTF8, body.MediaType);
            }

            using var response = await client.SendAsync(request);
            var failure = await CheckAsync(row, response);
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        output.WriteLine($"{rows.Count} requests in {clock.Elapsed.TotalSeconds:F1} s, {failures.Count} failed.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {rows.Count} requests broke the rule:\n" + string.Join('\n', failures));
    }

    private static async Task<string?> CheckAsync(Row row, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        var media = response.Content.Headers.ContentType?.MediaType;
        var broken = new List<string>();
        if (status >= 500)
        {
            broken.Add("server error");
        }

        if (status is >= 400 and < 500 && media != "application/problem+json")
        {
            broken.Add($"not problem details ({media ?? "no content type"})");
        }

        if (StackTraceMarkers.FirstOrDefault(m => text.Contains(m, StringComparison.Ordinal)) is { } marker)
        {
            broken.Add($"stack trace marker '{marker.Trim()}'");
        }

        var expected = row.Expect switch
        {
            Expect.BadRequest => status == 400,
            Expect.NotFound => status == 404,
            Expect.NotFoundOrBadRequest => status is 404 or 400,
            Expect.UnsupportedOrBadRequest => status is 415 or 400,
            _ => status < 500,
        };
        if (!expected)
        {
            broken.Add($"expected {row.Expect}");
        }

        if (broken.Count == 0)
        {
            return null;
        }

        var excerpt = text.ReplaceLineEndings(" ");
        excerpt = excerpt.Length > 300 ? excerpt[..300] + "…" : excerpt;
        return $"{row.Operation.Method} {row.Url} · {row.Case} → {status} [{string.Join("; ", broken)}]: {excerpt}";
    }

    // ---- the cases ----

    private IEnumerable<Row> WholeBodyCases(Operation operation, string url)
    {
        yield return new Row(operation, url, "malformed JSON", new Body("{\"name\": "), Expect.BadRequest);
        yield return new Row(operation, url, "an array", new Body("[]"), Expect.BadRequest);
        // A body the document marks optional (deploy's {"git_commit_id"}) may be left out: null and nothing are then fine.
        var optional = operation.Spec["requestBody"]?["required"]?.GetValue<bool>() != true;
        yield return new Row(operation, url, "null", new Body("null"), optional ? Expect.Handled : Expect.BadRequest);
        yield return new Row(operation, url, "empty body", new Body(""), optional ? Expect.Handled : Expect.BadRequest);
        yield return new Row(operation, url, "a string", new Body("\"text\""), Expect.BadRequest);
        yield return new Row(operation, url, "a number", new Body("42"), Expect.BadRequest);
        yield return new Row(operation, url, "valid JSON as text/plain", new Body(Json(BaseBody(operation)).Text, "text/plain"), Expect.UnsupportedOrBadRequest);
        yield return new Row(operation, url, "an empty object", new Body("{}"), Expect.Handled);
        yield return new Row(operation, url, "only unknown properties", new Body("{\"no_such_field\": 1}"), Expect.Handled);
    }

    private enum FieldKind
    {
        String,
        Integer,
        Number,
        Boolean,
        Enum,
        Uuid,
        Timestamp,
        Object,
        Other,
    }

    private static IEnumerable<(string Name, JsonNode? Value, Expect Expect)> FieldCases(FieldKind kind)
    {
        yield return ("null", null, Expect.Handled);
        switch (kind)
        {
            case FieldKind.String:
                yield return ("12345", 12345, Expect.BadRequest);
                yield return ("{}", new JsonObject(), Expect.BadRequest);
                yield return ("[]", new JsonArray(), Expect.BadRequest);
                yield return ("true", true, Expect.BadRequest);
                yield return ("10,000 characters", Huge, Expect.Handled);
                break;
            case FieldKind.Integer:
                yield return ("\"abc\"", "abc", Expect.BadRequest);
                yield return ("{}", new JsonObject(), Expect.BadRequest);
                yield return ("true", true, Expect.BadRequest);
                yield return ("1.5", 1.5, Expect.BadRequest);
                yield return ("-1", -1, Expect.Handled);
                yield return ("2147483648", 2147483648L, Expect.BadRequest);
                yield return ("1e308", JsonNode.Parse("1e308"), Expect.BadRequest);
                break;
            case FieldKind.Number:
                yield return ("\"abc\"", "abc", Expect.BadRequest);
                yield return ("{}", new JsonObject(), Expect.BadRequest);
                yield return ("true", true, Expect.BadRequest);
                yield return ("-1", -1, Expect.Handled);
                yield return ("2147483648", 2147483648L, Expect.Handled);
                yield return ("1e308", JsonNode.Parse("1e308"), Expect.Handled);
                break;
            case FieldKind.Boolean:
                yield return ("\"yes\"", "yes", Expect.BadRequest);
                yield return ("1", 1, Expect.BadRequest);
                yield return ("{}", new JsonObject(), Expect.BadRequest);
                break;
            case FieldKind.Enum:
                yield return ("\"NOT_A_VALUE\"", "NOT_A_VALUE", Expect.BadRequest);
                yield return ("\"\"", "", Expect.BadRequest);
                yield return ("7 (a number, no such member)", 7, Expect.BadRequest);
                yield return ("\"7\" (a numeric string)", "7", Expect.BadRequest);
                yield return ("-1 (a number)", -1, Expect.BadRequest);
                yield return ("{}", new JsonObject(), Expect.BadRequest);
                break;
            case FieldKind.Uuid:
                yield return ("\"not-a-guid\"", "not-a-guid", Expect.BadRequest);
                yield return ("42", 42, Expect.BadRequest);
                yield return ("{}", new JsonObject(), Expect.BadRequest);
                yield return ("an unknown guid", Guid.NewGuid().ToString(), Expect.NotFoundOrBadRequest);
                break;
            case FieldKind.Timestamp:
                yield return ("\"not-a-date\"", "not-a-date", Expect.BadRequest);
                yield return ("42", 42, Expect.BadRequest);
                yield return ("0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00+14:00", Expect.BadRequest);
                yield return ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", Expect.Handled);
                yield return ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", Expect.Handled);
                break;
            case FieldKind.Object:
                yield return ("\"text\"", "text", Expect.BadRequest);
                yield return ("42", 42, Expect.BadRequest);
                yield return ("[]", new JsonArray(), Expect.BadRequest);
                break;
            default:
                yield return ("\"text\"", "text", Expect.Handled);
                yield return ("42", 42, Expect.Handled);
                break;
        }
    }

    /// <summary>Every property the schema declares, nested objects included (their own properties after them).</summary>
    private IEnumerable<(string[] Path, FieldKind Kind)> Fields(JsonObject schema, string[] prefix)
    {
        foreach (var (name, declared) in schema["properties"]?.AsObject() ?? [])
        {
            var field = Resolve(declared!);
            var path = prefix.Append(name).ToArray();
            var kind = KindOf(field);
            yield return (path, kind);
            if (kind == FieldKind.Object)
            {
                foreach (var nested in Fields(field, path))
                {
                    yield return nested;
                }
            }
        }
    }

    private static FieldKind KindOf(JsonObject schema)
    {
        if (schema["enum"] is JsonArray)
        {
            return FieldKind.Enum;
        }

        if (schema["properties"] is JsonObject)
        {
            return FieldKind.Object;
        }

        var types = schema["type"] switch
        {
            JsonArray many => many.Select(t => t!.GetValue<string>()).ToArray(),
            JsonValue one => [one.GetValue<string>()],
            _ => [],
        };
        var format = schema["format"]?.GetValue<string>();
        return types switch
        {
            _ when types.Contains("integer") => FieldKind.Integer,
            _ when types.Contains("number") => FieldKind.Number,
            _ when types.Contains("boolean") => FieldKind.Boolean,
            _ when format == "uuid" => FieldKind.Uuid,
            _ when format == "date-time" => FieldKind.Timestamp,
            _ when types.Contains("string") => FieldKind.String,
            _ => FieldKind.Other,
        };
    }

    /// <summary>Follows <c>$ref</c> and a nullable <c>oneOf</c> to the schema that says what the value is.</summary>
    private JsonObject Resolve(JsonNode schema)
    {
        if (schema["$ref"] is JsonValue reference)
        {
            var name = reference.GetValue<string>().Split('/').Last();
            return Resolve(_setup.Document["components"]!["schemas"]![name]!);
        }

        if (schema["oneOf"] is JsonArray options && options.FirstOrDefault(o => o!["type"]?.ToString() != "null") is { } option)
        {
            return Resolve(option);
        }

        return schema.AsObject();
    }

    /// <summary>A copy of the body with the value at the path replaced (objects on the way made if missing).</summary>
    private static JsonObject With(JsonObject body, string[] path, JsonNode? value)
    {
        var copy = body.DeepClone().AsObject();
        var holder = copy;
        foreach (var step in path[..^1])
        {
            if (holder[step] is not JsonObject next)
            {
                next = new JsonObject();
                holder[step] = next;
            }

            holder = next;
        }

        holder[path[^1]] = value?.DeepClone();
        return copy;
    }

    private static Body Json(JsonObject body) => new(body.ToJsonString());

    /// <summary>
    /// A body the endpoint would accept (fresh names each time), so that a case changing one field reaches the
    /// handler; a schema without one here gets a body made from its declared types.
    /// </summary>
    private JsonObject BaseBody(Operation operation)
    {
        var ours = _setup.Ours;
        var unique = CatalogueSteps.Unique();
        var name = BodySchemaName(operation);
        return name switch
        {
            "RegisterRequest" => new JsonObject
            {
                ["email"] = $"bad.input.{unique}@example.com", ["password"] = ApiSessions.Password, ["first_name"] = "Bad", ["last_name"] = "Input",
            },
            "TokenRequest" => new JsonObject
            {
                ["email"] = ours.Catalogue.OwnerUser.Email, ["password"] = ApiSessions.Password, ["name"] = $"token {unique}",
            },
            "OrganizationTokenRequest" => new JsonObject { ["name"] = $"token {unique}", ["role"] = "VIEWER" },
            "OrganizationRequest" or "ProjectInput" => new JsonObject { ["name"] = $"n-{unique}", ["description"] = "made by the bad-input tests" },
            "EnvironmentInput" => new JsonObject { ["name"] = $"env-{unique}", ["mode"] = "DEVELOPMENT", ["cluster_id"] = ours.ClusterId.ToString() },
            "CloneInput" => new JsonObject
            {
                ["name"] = $"clone-{unique}", ["mode"] = "DEVELOPMENT", ["project_id"] = ours.Catalogue.ProjectId.ToString(), ["cluster_id"] = ours.ClusterId.ToString(),
            },
            "ApplicationInput" => CatalogueSteps.ApplicationBody($"app-{unique}"),
            "DatabaseInput" => new JsonObject { ["name"] = $"db-{unique}", ["type"] = "POSTGRESQL", ["version"] = "15", ["mode"] = "CONTAINER", ["storage"] = 10 },
            "VariableInput" or "VariableUpdate" => new JsonObject { ["key"] = $"K_{unique.ToUpperInvariant()}", ["value"] = "v", ["description"] = "d" },
            "ImportRequest" => new JsonObject { ["content"] = $"K_{unique.ToUpperInvariant()}=1\n", ["overwrite"] = true },
            "InviteRequest" => new JsonObject { ["email"] = $"invited.{unique}@example.com", ["role"] = "VIEWER" },
            "RoleRequest" => new JsonObject { ["role"] = "VIEWER" },
            "AddonRequest" => new JsonObject
            {
                ["matching_environments_regex"] = "^no-environment$", ["settings"] = new JsonObject { ["webhook_url"] = $"https://hooks.slack.com/services/T0/B0/{unique}" },
            },
            "TransferOwnershipRequest" => new JsonObject { ["user_id"] = ours.MemberUserId.ToString() },
            _ => Sample(Resolve(operation.BodySchema!), unique).AsObject(),
        };
    }

    private JsonNode Sample(JsonObject schema, string unique) => KindOf(schema) switch
    {
        FieldKind.Object => new JsonObject((schema["properties"]?.AsObject() ?? [])
            .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Sample(Resolve(p.Value!), unique)))),
        FieldKind.Enum => schema["enum"]!.AsArray().First(v => v is not null)!.DeepClone(),
        FieldKind.Integer or FieldKind.Number => 1,
        FieldKind.Boolean => false,
        FieldKind.Uuid => Guid.NewGuid().ToString(),
        FieldKind.Timestamp => "2030-01-01T00:00:00Z",
        _ => $"sample-{unique}",
    };

    private static string? BodySchemaName(Operation operation) =>
        operation.BodySchema?["$ref"]?.GetValue<string>().Split('/').Last();

    // ---- the document and the ids ----

    private sealed record Operation(string Method, string Path, JsonObject Spec, JsonNode? BodySchema);

    private IEnumerable<Operation> Operations() =>
        from path in _setup.Document["paths"]!.AsObject()
        where path.Key.StartsWith("/api/", StringComparison.Ordinal)
        from method in path.Value!.AsObject()
        where method.Key != "parameters"
        select new Operation(
            method.Key.ToUpperInvariant(),
            path.Key,
            method.Value!.AsObject(),
            method.Value!["requestBody"]?["content"]?["application/json"]?["schema"]);

    private static IEnumerable<string> Placeholders(string path) =>
        path.Split('/').Where(s => s.StartsWith('{') && s.EndsWith('}')).Select(s => s[1..^1]);

    /// <summary>Deletes run after everything else, and the organization's own last of all.</summary>
    private static int DeletesLast(Operation operation) =>
        operation.Method != "DELETE" ? 0 : operation.Path == "/api/organization/{id}" ? 2 : 1;

    /// <summary>The path with every placeholder filled from the world, except one replaced as the case says.</summary>
    private static string Fill(string path, World world, (string Placeholder, string Value)? replaced = null) =>
        string.Join('/', path.Split('/').Select(segment =>
        {
            if (!segment.StartsWith('{'))
            {
                return segment;
            }

            var placeholder = segment[1..^1];
            return replaced is { } r && r.Placeholder == placeholder
                ? r.Value
                : IdFor(path, placeholder, world)
                  ?? throw new InvalidOperationException($"No id is known for {{{placeholder}}} in {path}: teach BadInputTests.IdFor its kind.");
        }));

    /// <summary>The world's id for a placeholder: {id} by the path's first segment, the others by their name; {name} is an addon's.</summary>
    private static string? IdFor(string path, string placeholder, World world)
    {
        if (placeholder == "name")
        {
            return "Slack";
        }

        var c = world.Catalogue;
        Guid? id = placeholder switch
        {
            "userId" => world.MemberUserId,
            "invitationId" => world.InvitationId,
            "envId" => world.Catalogue.EnvironmentId,
            "id" when path.Contains("/deployment/{id}", StringComparison.Ordinal) => world.DeploymentId,
            "id" => path.Split('/', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) switch
            {
                "organization" => c.OrganizationId,
                "project" => c.ProjectId,
                "environment" => c.EnvironmentId,
                "application" => c.ApplicationId,
                "database" => c.DatabaseId,
                "cluster" => world.ClusterId,
                "apiToken" => world.ApiTokenId,
                "environmentVariable" => world.VariableId,
                "secret" => world.SecretId,
                "creditCard" => world.CardId,
                "invoice" => world.InvoiceId,
                _ => null,
            },
            _ => null,
        };
        return id?.ToString();
    }

    /// <summary>The world's id for a body property that references something (cluster_id, project_id, user_id, …).</summary>
    private static Guid? ReferenceIn(string property, World world) => property switch
    {
        "organization_id" => world.Catalogue.OrganizationId,
        "project_id" => world.Catalogue.ProjectId,
        "environment_id" => world.Catalogue.EnvironmentId,
        "application_id" => world.Catalogue.ApplicationId,
        "database_id" => world.Catalogue.DatabaseId,
        "cluster_id" => world.ClusterId,
        "user_id" => world.MemberUserId,
        _ => null,
    };

    /// <summary>An organization with one of everything an id in a path can name.</summary>
    private sealed record World(Catalogue Catalogue, Guid ClusterId, Guid ApiTokenId, Guid VariableId, Guid SecretId, Guid MemberUserId, Guid InvitationId, Guid DeploymentId, Guid CardId, Guid InvoiceId)
    {
        public static async Task<World> CreateAsync(PortalFactory portal, string name)
        {
            var c = await Catalogue.CreateAsync(portal, name);
            var cluster = (await c.Owner.DefaultClusterAsync(c.OrganizationId)).Id();
            var (token, _) = await c.Owner.CreateOrganizationTokenAsync(c.OrganizationId, "VIEWER");
            var variable = await c.Owner.PostForIdAsync($"/api/application/{c.ApplicationId}/environmentVariable", new { key = "PLAIN", value = "1" });
            var secret = await c.Owner.PostForIdAsync($"/api/application/{c.ApplicationId}/secret", new { key = "HIDDEN", value = "2" });
            var member = await portal.AddMemberAsync(c.Owner, c.OrganizationId, "DEVELOPER");
            var invitation = await c.Owner.InviteAsync(c.OrganizationId, $"pending.{Guid.NewGuid():N}@example.com", "VIEWER");
            var deployment = await c.Owner.DeployAsync(c.ApplicationId);
            var card = await c.Owner.PostForIdAsync($"/api/organization/{c.OrganizationId}/creditCard", new { number = "4242424242424242", cvv = "123", expiry_month = 12, expiry_year = DateTime.UtcNow.Year + 3 });
            var invoice = await portal.InsertInvoiceAsync(c.OrganizationId);
            return new World(c, cluster, token, variable, secret, member.UserId, invitation, deployment, card, invoice);
        }
    }

    /// <summary>Made once per class: the document, the owner's organization and another organization.</summary>
    private sealed record Setup(JsonObject Document, World Ours, World Theirs)
    {
        public static async Task<Setup> CreateAsync(PortalFactory portal)
        {
            var document = JsonNode.Parse(await portal.CreateAnonymousClient().GetStringAsync("/openapi/v1.json"))!.AsObject();
            return new Setup(document, await World.CreateAsync(portal, "bad input"), await World.CreateAsync(portal, "someone else"));
        }
    }
}
