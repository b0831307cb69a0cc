using System.Text.Json;
using Platform.Domain.Addons;
using Platform.Domain.Applications;
using Platform.Domain.Billing.Invoices;
using Platform.Domain.Clusters;
using Platform.Domain.Databases;
using Platform.Domain.Deployments;
using Platform.Domain.Environments;
using Platform.Domain.Logs;
using Platform.Domain.Members;
using Platform.Domain.Runtime;
using Platform.Domain.Services;
using Platform.Domain.Variables;

namespace Platform.Portal.Components.Common;

/// <summary>
/// How every enum and wire code the portal shows reads for people ("Deploying", "Build failed", "Built-in"). Pages print
/// <c>Labels.Of(x)</c> and put <c>Labels.Code(x)</c> (the code as the API spells it) in a tooltip or title attribute.
/// </summary>
public static class Labels
{
    /// <summary>Wire codes (UPPER_SNAKE) with a label that is not simply their words in sentence case.</summary>
    private static readonly Dictionary<string, string> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        // ServiceState
        ["QUEUED"] = "Queued",
        ["BUILDING"] = "Building",
        ["BUILD_ERROR"] = "Build failed",
        ["DEPLOYING"] = "Deploying",
        ["DEPLOYMENT_ERROR"] = "Deploy failed",
        ["RUNNING"] = "Running",
        ["STOPPING"] = "Stopping",
        ["STOPPED"] = "Stopped",
        ["STOP_ERROR"] = "Stop failed",
        ["RESTARTING"] = "Restarting",
        ["DELETING"] = "Deleting",
        ["DELETED"] = "Deleted",

        // DeploymentState
        ["DEPLOYMENT_IN_PROGRESS"] = "Deploying",
        ["OK"] = "Succeeded",
        ["FAILED"] = "Failed",
        ["ABORTING"] = "Aborting",
        ["ABORTED"] = "Aborted",

        // Other codes shown by the portal
        ["BUILT_IN"] = "Built-in",
        ["NEVER_DEPLOYED"] = "Never deployed",
        ["GIT_CONNECTION_ERROR"] = "Repository unreachable",
        ["UPDATE_AVAILABLE"] = "Update available",
        ["RESTART_NEEDED"] = "Restart needed",
        ["POSTGRESQL"] = "PostgreSQL",
        ["HTTP"] = "HTTP",
        ["TCP"] = "TCP",
        ["STDOUT"] = "stdout",
        ["STDERR"] = "stderr",
        ["SYSTEM"] = "Platform",
        ["PENDING"] = "Pending",
        ["PAYMENT_DUE"] = "Payment due",
        ["NOT_PAID"] = "Not paid",
    };

    /// <summary>The label of a wire code: a known one's, else its words in sentence case (DEPLOYMENT_SUCCEEDED reads "Deployment succeeded").</summary>
    public static string Of(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return "";
        }

        if (Words.TryGetValue(code, out var label))
        {
            return label;
        }

        var words = code.Replace('_', ' ').ToLowerInvariant();
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>An enum value's code as the API spells it: UPPER_SNAKE (BuiltIn is BUILT_IN).</summary>
    public static string Code<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());

    public static string Of(ServiceState state) => Of(Code(state));

    public static string Of(DeploymentState state) => Of(Code(state));

    public static string Of(SimpleState state) => state switch
    {
        SimpleState.Ok => "OK",
        SimpleState.Warning => "Warning",
        _ => "Error",
    };

    public static string Of(StepState state) => state switch
    {
        StepState.Pending => "Pending",
        StepState.Running => "Running",
        StepState.Done => "Done",
        StepState.Failed => "Failed",
        StepState.Skipped => "Skipped",
        _ => "Aborted",
    };

    public static string Of(InstanceState state) => state switch
    {
        InstanceState.Starting => "Starting",
        InstanceState.Ready => "Ready",
        InstanceState.Unhealthy => "Unhealthy",
        InstanceState.Restarting => "Restarting",
        _ => "Stopped",
    };

    public static string Of(DeploymentKind kind) => kind switch
    {
        DeploymentKind.Deploy => "Deploy",
        DeploymentKind.Stop => "Stop",
        DeploymentKind.Restart => "Restart",
        DeploymentKind.Rollback => "Rollback",
        DeploymentKind.Archive => "Archive",
        DeploymentKind.Delete => "Delete",
        DeploymentKind.DeleteEnvironment => "Delete environment",
        _ => "Restore after restart",
    };

    public static string Of(ServiceAction action) => action switch
    {
        ServiceAction.Deploy => "Deploy",
        ServiceAction.Stop => "Stop",
        ServiceAction.Restart => "Restart",
        _ => "Delete",
    };

    /// <summary>What a failed deployment ran into, in a phrase: "build error" (BUILD_ERROR), "deploy error", "stop error".</summary>
    public static string Failure(string code) => code switch
    {
        "BUILD_ERROR" => "build error",
        "DEPLOYMENT_ERROR" => "deploy error",
        "STOP_ERROR" => "stop error",
        _ => Of(code).ToLowerInvariant(),
    };

    /// <summary>A service deployment under way: "Deploying", "Stopping", "Restarting", "Deleting".</summary>
    public static string InProgress(ServiceAction action) => action switch
    {
        ServiceAction.Deploy => "Deploying",
        ServiceAction.Stop => "Stopping",
        ServiceAction.Restart => "Restarting",
        _ => "Deleting",
    };

    public static string Of(EnvironmentMode mode) => mode switch
    {
        EnvironmentMode.Development => "Development",
        EnvironmentMode.Staging => "Staging",
        EnvironmentMode.Production => "Production",
        _ => "Preview",
    };

    /// <summary>"Local runtime", "Kubernetes": the cluster's provider as the domain names it.</summary>
    public static string Of(ClusterKind kind) => CloudProvider.For(kind).Name;

    public static string Of(VariableScope scope) => scope switch
    {
        VariableScope.BuiltIn => "Built-in",
        VariableScope.Organization => "Organization",
        VariableScope.Project => "Project",
        VariableScope.Environment => "Environment",
        _ => "Application",
    };

    public static string Of(OrganizationRole role) => role switch
    {
        OrganizationRole.Owner => "Owner",
        OrganizationRole.Admin => "Admin",
        OrganizationRole.Developer => "Developer",
        _ => "Viewer",
    };

    public static string Of(InvitationStatus status) => status switch
    {
        InvitationStatus.Pending => "Pending",
        InvitationStatus.Accepted => "Accepted",
        _ => "Expired",
    };

    public static string Of(LogStream stream) => Of(Code(stream));

    public static string Of(InvoiceStatus status) => status switch
    {
        InvoiceStatus.Pending => "Open month",
        InvoiceStatus.Posted => "Issued",
        InvoiceStatus.Paid => "Paid",
        InvoiceStatus.PaymentDue => "Payment due",
        InvoiceStatus.NotPaid => "Not paid",
        InvoiceStatus.Voided => "Voided",
        _ => "Unknown",
    };

    public static string Of(AddonDeliveryStatus status) => status switch
    {
        AddonDeliveryStatus.Pending => "Queued",
        AddonDeliveryStatus.Sending => "Sending",
        AddonDeliveryStatus.Delivered => "Delivered",
        _ => "Failed",
    };

    public static string Of(AddonKind kind) => kind switch
    {
        AddonKind.Slack => "Slack",
        AddonKind.Webhook => "Webhook",
        _ => "Email",
    };

    public static string Of(ProbeType type) => Of(Code(type));

    public static string Of(DatabaseType type) => Of(Code(type));

    public static string Of(DatabaseMode mode) => mode switch
    {
        DatabaseMode.Container => "Container",
        _ => "Managed",
    };
}
