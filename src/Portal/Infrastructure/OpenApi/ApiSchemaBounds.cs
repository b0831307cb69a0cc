using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Platform.Domain.Addons;
using Platform.Domain.Applications;
using Platform.Domain.Billing;
using Platform.Domain.Common;
using Platform.Domain.Databases;
using Platform.Domain.Environments;
using Platform.Domain.Organizations;
using Platform.Domain.Projects;
using Platform.Domain.Tokens;
using Platform.Domain.Users;
using Platform.Domain.Variables;
using Platform.Portal.Billing;
using Platform.Portal.Members;
using Platform.Portal.Users;

namespace Platform.Portal.Infrastructure.OpenApi;

/// <summary>
/// Puts bounds on every schema: a request field gets the bounds of the rule its service checks it with (the rule's
/// own constants and patterns, listed once here), and whatever is left unbounded — answers, mostly — gets
/// <see cref="Bounds"/>: strings a maxLength, arrays a maxItems, integers their type's range, maps a maxProperties.
/// </summary>
public sealed class ApiSchemaBounds : IOpenApiSchemaTransformer
{
    private static readonly Dictionary<(Type Type, string Property), Action<OpenApiSchema>> Rules = new()
    {
        [(typeof(UserApi.RegisterRequest), nameof(UserApi.RegisterRequest.Email))] = Text(Validation.MaxEmailLength, format: "email"),
        [(typeof(UserApi.RegisterRequest), nameof(UserApi.RegisterRequest.Password))] = Text(UserRules.MaxPasswordLength, UserRules.MinPasswordLength),
        [(typeof(UserApi.RegisterRequest), nameof(UserApi.RegisterRequest.FirstName))] = Text(UserRules.MaxNameLength),
        [(typeof(UserApi.RegisterRequest), nameof(UserApi.RegisterRequest.LastName))] = Text(UserRules.MaxNameLength),
        [(typeof(UserApi.TokenRequest), nameof(UserApi.TokenRequest.Email))] = Text(Validation.MaxEmailLength, format: "email"),
        [(typeof(UserApi.TokenRequest), nameof(UserApi.TokenRequest.Password))] = Text(UserRules.MaxPasswordLength),
        [(typeof(UserApi.TokenRequest), nameof(UserApi.TokenRequest.Name))] = Text(ApiTokenService.MaxNameLength),

        [(typeof(OrganizationInput), nameof(OrganizationInput.Name))] = Text(Organization.MaxNameLength),
        [(typeof(OrganizationInput), nameof(OrganizationInput.Description))] = Text(Organization.MaxDescriptionLength),
        [(typeof(ProjectInput), nameof(ProjectInput.Name))] = Name,
        [(typeof(ProjectInput), nameof(ProjectInput.Description))] = Text(Project.MaxDescriptionLength),
        [(typeof(EnvironmentInput), nameof(EnvironmentInput.Name))] = Name,
        [(typeof(CloneInput), nameof(CloneInput.Name))] = Name,
        [(typeof(DatabaseInput), nameof(DatabaseInput.Name))] = Name,
        [(typeof(DatabaseInput), nameof(DatabaseInput.Storage))] = Whole(0, ManagedDatabase.MaxStorageGb),

        [(typeof(ApplicationInput), nameof(ApplicationInput.Name))] = Name,
        [(typeof(ApplicationInput), nameof(ApplicationInput.BuildCommand))] = Text(ApplicationRules.MaxCommandLength),
        [(typeof(ApplicationInput), nameof(ApplicationInput.StartCommand))] = Text(ApplicationRules.MaxCommandLength),
        [(typeof(ApplicationInput), nameof(ApplicationInput.Port))] = Whole(ApplicationRules.MinPort, ApplicationRules.MaxPort),
        [(typeof(ApplicationInput), nameof(ApplicationInput.Cpu))] = Number(ApplicationRules.MinCpu, ApplicationRules.MaxCpu),
        [(typeof(ApplicationInput), nameof(ApplicationInput.Memory))] = Whole(ApplicationRules.MinMemoryMb, ApplicationRules.MaxMemoryMb),
        [(typeof(ApplicationInput), nameof(ApplicationInput.MinRunningInstances))] = Whole(0, ApplicationRules.MaxInstances),
        [(typeof(ApplicationInput), nameof(ApplicationInput.MaxRunningInstances))] = Whole(1, ApplicationRules.MaxInstances),
        [(typeof(ApplicationInput), nameof(ApplicationInput.Storage))] = Whole(0, ApplicationRules.MaxStorageGb),
        [(typeof(GitSourceInput), nameof(GitSourceInput.Url))] = Text(ApplicationRules.MaxUrlLength),

        [(typeof(VariableInput), nameof(VariableInput.Key))] = Text(Variable.MaxKeyLength, 1, VariableRules.KeyPatternText),
        [(typeof(VariableInput), nameof(VariableInput.Value))] = Text(Variable.MaxValueLength),
        [(typeof(VariableInput), nameof(VariableInput.Description))] = Text(Variable.MaxDescriptionLength),
        [(typeof(VariableUpdate), nameof(VariableUpdate.Key))] = Text(Variable.MaxKeyLength, 1, VariableRules.KeyPatternText),
        [(typeof(VariableUpdate), nameof(VariableUpdate.Value))] = Text(Variable.MaxValueLength),
        [(typeof(VariableUpdate), nameof(VariableUpdate.Description))] = Text(Variable.MaxDescriptionLength),

        [(typeof(AddonRequest), nameof(AddonRequest.MatchingEnvironmentsRegex))] = Text(ProjectAddon.MaxRegexLength),
        [(typeof(CostApi.BillingInfoRequest), nameof(CostApi.BillingInfoRequest.FirstName))] = Text(BillingInfoRules.MaxLength),
        [(typeof(CostApi.BillingInfoRequest), nameof(CostApi.BillingInfoRequest.LastName))] = Text(BillingInfoRules.MaxLength),
        [(typeof(CostApi.BillingInfoRequest), nameof(CostApi.BillingInfoRequest.Address))] = Text(BillingInfoRules.MaxLength),
        [(typeof(CostApi.BillingInfoRequest), nameof(CostApi.BillingInfoRequest.City))] = Text(BillingInfoRules.MaxLength),
        [(typeof(CostApi.BillingInfoRequest), nameof(CostApi.BillingInfoRequest.Zip))] = Text(BillingInfoRules.MaxLength),
        [(typeof(CostApi.BillingInfoRequest), nameof(CostApi.BillingInfoRequest.State))] = Text(BillingInfoRules.MaxLength),
        [(typeof(CostApi.BillingInfoRequest), nameof(CostApi.BillingInfoRequest.Company))] = Text(BillingInfoRules.MaxLength),
        [(typeof(CostApi.BillingInfoRequest), nameof(CostApi.BillingInfoRequest.Email))] = Text(Validation.MaxEmailLength, format: "email"),
        [(typeof(MemberApi.InviteRequest), nameof(MemberApi.InviteRequest.Email))] = Text(Validation.MaxEmailLength, format: "email"),
    };

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is { AttributeProvider: MemberInfo member } property
            && Rules.TryGetValue((property.DeclaringType, member.Name), out var rule))
        {
            rule(schema);
        }

        Fill(schema);
        return Task.CompletedTask;
    }

    /// <summary>The fallback bounds of <see cref="Bounds"/> wherever a schema has none.</summary>
    private static void Fill(OpenApiSchema schema)
    {
        var type = schema.Type ?? 0;
        if (type.HasFlag(JsonSchemaType.String) && schema.Enum is not { Count: > 0 } && schema.MaxLength is null)
        {
            schema.MaxLength = schema.Format switch
            {
                "uuid" => Bounds.Uuid,
                "date-time" => Bounds.Timestamp,
                _ => Bounds.Text,
            };
        }

        if (type.HasFlag(JsonSchemaType.Array))
        {
            schema.MaxItems ??= Bounds.Items;
        }

        if (type.HasFlag(JsonSchemaType.Integer))
        {
            var wide = schema.Format == "int64";
            schema.Format ??= "int32";
            schema.Minimum ??= wide ? Bounds.Number(long.MinValue) : Bounds.Number(int.MinValue);
            schema.Maximum ??= wide ? Bounds.Number(long.MaxValue) : Bounds.Number(int.MaxValue);
        }

        if (type.HasFlag(JsonSchemaType.Object) && schema.AdditionalProperties is not null)
        {
            schema.MaxProperties ??= Bounds.Properties;
        }
    }

    private static void Name(OpenApiSchema schema) => Text(Names.MaxLength, 1, Names.PatternText)(schema);

    private static Action<OpenApiSchema> Text(int maxLength, int? minLength = null, string? pattern = null, string? format = null) => schema =>
    {
        schema.MaxLength = maxLength;
        schema.MinLength = minLength;
        schema.Pattern = pattern;
        schema.Format = format ?? schema.Format;
    };

    private static Action<OpenApiSchema> Whole(long minimum, long maximum) => schema =>
    {
        schema.Minimum = Bounds.Number(minimum);
        schema.Maximum = Bounds.Number(maximum);
    };

    private static Action<OpenApiSchema> Number(double minimum, double maximum) => schema =>
    {
        schema.Minimum = Bounds.Number(minimum);
        schema.Maximum = Bounds.Number(maximum);
    };
}
