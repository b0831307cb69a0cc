using Microsoft.OpenApi;
using Platform.Domain.Common;

namespace Platform.Portal.Infrastructure.OpenApi;

/// <summary>
/// What an endpoint says about itself in the OpenAPI document, in one line: its stable operationId and summary, and the
/// errors no convention can see (a role it needs, a conflict it reports). The common errors (400, 401, 404, 413, 429,
/// 500) follow from the endpoint's shape: see <see cref="ApiResponsesTransformer"/>.
/// </summary>
public static class ApiDescriptions
{
    /// <summary>The operationId (camelCase, the draft's section and verb: <c>listApplicationLogs</c>) and a summary.</summary>
    public static TBuilder Describe<TBuilder>(this TBuilder builder, string operationId, string summary)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithName(operationId).WithSummary(summary);

    /// <summary>Answers 403 when the caller's role (or kind of token) does not allow it.</summary>
    public static RouteHandlerBuilder NeedsRole(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status403Forbidden);

    /// <summary>Answers 409 when the change conflicts with the resource's current state.</summary>
    public static RouteHandlerBuilder MayConflict(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status409Conflict);

    /// <summary>Answers 402 when the organization's plan does not cover it (a deployment over the monthly quota).</summary>
    public static RouteHandlerBuilder MayNeedPayment(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status402PaymentRequired);

    /// <summary>Declares a query parameter the handler reads from the request itself.</summary>
    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder builder, QueryParameter parameter) =>
        builder.WithMetadata(parameter);

    /// <summary>The history list's <c>tail</c>, <c>page</c> and <c>lastId</c> (<see cref="HistoryQuery"/>).</summary>
    public static RouteHandlerBuilder WithHistoryQuery(this RouteHandlerBuilder builder) => builder
        .WithQuery(QueryParameter.WholeNumber("tail", $"Entries per page, newest first (default {HistoryQuery.DefaultTail}).", 1, HistoryQuery.MaxTail))
        .WithQuery(QueryParameter.WholeNumber("page", "Pages back from the newest (default 1).", 1, HistoryQuery.MaxPage))
        .WithQuery(QueryParameter.Id("lastId", "Only the entries after this one, oldest first (instead of tail and page)."));
}

/// <summary>A query parameter that a handler reads from <see cref="HttpRequest.Query"/>, with the bounds its parser enforces.</summary>
public sealed record QueryParameter(string Name, string Description, Func<OpenApiSchema> Schema)
{
    public static QueryParameter WholeNumber(string name, string description, int minimum, int maximum) =>
        new(name, description, () => new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int32",
            Minimum = Bounds.Number(minimum),
            Maximum = Bounds.Number(maximum),
        });

    public static QueryParameter Id(string name, string description) =>
        new(name, description, () => new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", MaxLength = Bounds.Uuid });

    public static QueryParameter Text(string name, string description, int maxLength, string? pattern = null) =>
        new(name, description, () => new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = maxLength, Pattern = pattern });

    public static QueryParameter Timestamp(string name, string description) =>
        new(name, description, () => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", MaxLength = Bounds.Timestamp });

    public static QueryParameter OneOf(string name, string description, params string[] values) =>
        new(name, description, () => new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = values.Select(v => (System.Text.Json.Nodes.JsonNode)v).ToList(),
        });
}
