using Microsoft.EntityFrameworkCore;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

/// <summary>A database's service deployment: provision (or open), stop (refuse connections, keep the data), restart, delete.</summary>
internal sealed partial class ServiceRun
{
    private const string LeftClosed = "The database was left closed to connections, its data kept: deploy or restart it to open it again.";

    /// <summary>
    /// The database's Stop step began (a stop, or the first half of a restart), and no Provision has opened it
    /// since: it may refuse connections, whatever it did before this deployment.
    /// </summary>
    private bool _databaseClosed;

    private async Task RunDatabaseAsync(CancellationToken abort)
    {
        var database = await DatabaseAsync();
        var order = database.RuntimeOrder(engine.Protector);
        switch (deployment.Action)
        {
            case ServiceAction.Stop:
                await BeginAsync(DeploymentSteps.Stop, ServiceState.Stopping, "Refusing new connections.");
                _databaseClosed = true;
                await runtime.StopDatabaseAsync(order, abort);
                await EndAsync(DeploymentSteps.Stop, StepState.Done);
                await SucceedAsync(ServiceState.Stopped, "Stopped: it refuses connections; its data is kept.", live: false);
                return;
            case ServiceAction.Delete:
                await BeginAsync(DeploymentSteps.Delete, ServiceState.Deleting, "Dropping the database and its role, with its data.");
                await runtime.DeleteDatabaseAsync(order, abort);
                await EndAsync(DeploymentSteps.Delete, StepState.Done);
                await DeletedAsync($"Database {deployment.ServiceName} deleted, with its data.");
                return;
            case ServiceAction.Restart:
                if (database.LiveDeploymentId is null)
                {
                    throw NotRunning(database.Name);
                }

                await BeginAsync(DeploymentSteps.Stop, ServiceState.Restarting, "Closing its connections.");
                _databaseClosed = true;
                await runtime.StopDatabaseAsync(order, abort);
                await EndAsync(DeploymentSteps.Stop, StepState.Done);
                break;
        }

        await BeginAsync(DeploymentSteps.Provision, ServiceState.Deploying, "Creating the database and its role, or opening them to connections.");
        await runtime.DeployDatabaseAsync(order, abort);
        _databaseClosed = false;
        await EndAsync(DeploymentSteps.Provision, StepState.Done);
        await SucceedAsync(ServiceState.Running, "Accepting connections.", live: true);
    }

    private async Task<Databases.ManagedDatabase> DatabaseAsync()
    {
        await using var db = await engine.OpenAsync();
        return await db.Databases.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deployment.ServiceId)
            ?? throw new RuntimeFailureException("The database was deleted.");
    }
}
