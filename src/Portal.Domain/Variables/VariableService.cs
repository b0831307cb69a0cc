using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Domain.Variables;

/// <param name="Scope">Must match the resource it is posted to; may be left out.</param>
public sealed record VariableInput(string? Key, string? Value, VariableScope? Scope, string? Description);

public sealed record VariableUpdate(string? Key, string? Value, string? Description);

/// <param name="Value">Null for secrets: their values are never answered.</param>
/// <param name="Overrides">The scope of the value this one hides, if any.</param>
public sealed record VariableView(Guid Id, string Key, string? Value, VariableScope Scope, bool IsSecret, string? Description, VariableScope? Overrides);

public sealed record ImportLineError(int Line, string Message);

public sealed record ImportResult(IReadOnlyList<string> Created, IReadOnlyList<string> Updated, IReadOnlyList<string> Skipped, IReadOnlyList<ImportLineError> Errors);

/// <summary>
/// Variables and secrets on the five scopes. Listing a holder answers its effective set: for each key the
/// nearest scope wins (APPLICATION over ENVIRONMENT over PROJECT over ORGANIZATION over BUILT_IN). Secrets are
/// encrypted at rest and their values are never answered; every change is an event without the value.
/// </summary>
public sealed class VariableService(
    IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, ISecretProtector protector, IRuntimes runtimes, TimeProvider clock)
{
    /// <param name="secrets">Secrets only, variables only, or null for both (one resolution, for the portal's tab).</param>
    public Task<Result<IReadOnlyList<VariableView>>> ListAsync(Caller caller, VariableScope scope, Guid holderId, bool? secrets, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<VariableView>>(caller, VariableHolder.ResourceOf(scope, holderId), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var effective = await ResolveAsync(db, scope, holderId, withSecretValues: false, cancellationToken);
            return effective.Where(v => secrets is null || v.Variable.IsSecret == secrets)
                .Select(v => new VariableView(v.Variable.Id, v.Variable.Key, v.Variable.Value, v.Variable.Scope, v.Variable.IsSecret, v.Variable.Description, v.Overrides))
                .ToList();
        }, cancellationToken);

    /// <summary>
    /// The environment an application's processes get: every effective key with its value, secrets decrypted.
    /// Only the runtime calls this; no endpoint or page answers it.
    /// </summary>
    public async Task<RuntimeVariables> ResolveForRuntimeAsync(Guid applicationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var effective = await ResolveAsync(db, VariableScope.Application, applicationId, withSecretValues: true, cancellationToken);
        return new RuntimeVariables(
            effective.ToDictionary(v => v.Variable.Key, v => v.Variable.Value ?? "", StringComparer.Ordinal),
            effective.Where(v => v.Variable.IsSecret && !string.IsNullOrEmpty(v.Variable.Value)).Select(v => v.Variable.Value!).Distinct(StringComparer.Ordinal).ToList());
    }

    public async Task<Result<VariableView>> CreateAsync(Caller caller, VariableScope scope, Guid holderId, VariableInput input, bool secret)
    {
        var found = await ChangeableHolderAsync(caller, scope, holderId);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        var holder = found.Value;
        var errors = new Dictionary<string, string[]>();
        if (input.Scope is { } requested && requested != scope)
        {
            errors["scope"] = [$"This is posted to the {Name(scope)} scope: leave scope out or send {Name(scope)}."];
        }

        AddKeyAndValueErrors(errors, input.Key, input.Value);
        Validation.LimitText(errors, "description", input.Description, "Description", Variable.MaxDescriptionLength);
        if (errors.Count > 0)
        {
            return DomainError.Validation(errors);
        }

        if (await ConflictAsync(db, holder, input.Key!, exceptId: null) is { } conflict)
        {
            return conflict;
        }

        var now = clock.GetUtcNow();
        var variable = new Variable
        {
            OrganizationId = holder.OrganizationId,
            ProjectId = holder.ProjectId,
            EnvironmentId = holder.EnvironmentId,
            ApplicationId = holder.ApplicationId,
            Scope = scope,
            Key = input.Key!,
            IsSecret = secret,
            Value = secret ? null : input.Value,
            ProtectedValue = secret ? protector.Protect(input.Value!) : null,
            Description = Validation.Clean(input.Description),
            OwnerId = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Variables.Add(variable);
        if (await SaveAsync(db, holder, caller, $"{Noun(secret)} {variable.Key} created on the {Name(scope)} scope.", "CREATED") is { } refused)
        {
            return refused;
        }
        return ToView(variable);
    }

    public async Task<Result<VariableView>> UpdateAsync(Caller caller, Guid variableId, VariableUpdate update, bool secret)
    {
        var found = await FindChangeableAsync(caller, variableId, secret);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        var (db, variable, holder) = found.Value;
        await using (db)
        {
            var errors = new Dictionary<string, string[]>();
            var key = update.Key ?? variable.Key;
            AddKeyAndValueErrors(errors, key, update.Value ?? (secret ? "" : variable.Value));
            Validation.LimitText(errors, "description", update.Description, "Description", Variable.MaxDescriptionLength);
            if (errors.Count > 0)
            {
                return DomainError.Validation(errors);
            }

            if (key != variable.Key && await ConflictAsync(db, holder, key, exceptId: variable.Id) is { } conflict)
            {
                return conflict;
            }

            variable.Key = key;
            if (update.Value is not null)
            {
                if (secret)
                {
                    variable.ProtectedValue = protector.Protect(update.Value);
                }
                else
                {
                    variable.Value = update.Value;
                }
            }

            variable.Description = update.Description is null ? variable.Description : Validation.Clean(update.Description);
            variable.UpdatedAt = clock.GetUtcNow();
            if (await SaveAsync(db, holder, caller, $"{Noun(secret)} {variable.Key} changed on the {Name(variable.Scope)} scope.", "UPDATED") is { } refused)
            {
                return refused;
            }
            return ToView(variable);
        }
    }

    public async Task<Result<bool>> DeleteAsync(Caller caller, Guid variableId, bool secret)
    {
        var found = await FindChangeableAsync(caller, variableId, secret);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        var (db, variable, holder) = found.Value;
        await using (db)
        {
            db.Variables.Remove(variable);
            if (await SaveAsync(db, holder, caller, $"{Noun(secret)} {variable.Key} deleted from the {Name(variable.Scope)} scope.", "DELETED") is { } refused)
            {
                return refused;
            }
            return true;
        }
    }

    /// <summary>
    /// Creates plain variables from .env text. Existing keys are changed when <paramref name="overwrite"/> is set and
    /// skipped otherwise; lines that break a rule are reported with their number and skipped.
    /// </summary>
    public async Task<Result<ImportResult>> ImportAsync(Caller caller, VariableScope scope, Guid holderId, string? content, bool overwrite)
    {
        var found = await ChangeableHolderAsync(caller, scope, holderId);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        if (string.IsNullOrWhiteSpace(content))
        {
            return DomainError.Validation("content", "Paste the .env text: KEY=value lines.");
        }

        var holder = found.Value;
        var (entries, parseErrors) = DotEnv.Parse(content);
        var errors = parseErrors.Select(e => new ImportLineError(e.Line, e.Message)).ToList();
        List<string> created = [], updated = [], skipped = [];
        await using var db = await dbFactory.CreateDbContextAsync();
        var own = await holder.Own(db).ToDictionaryAsync(v => v.Key);
        var builtIn = (await BuiltInVariables.ForAsync(db, holder, runtimes, protector, withSecretValues: false, CancellationToken.None)).Select(b => b.Key).ToHashSet();
        var now = clock.GetUtcNow();
        foreach (var entry in entries.GroupBy(e => e.Key).Select(g => g.Last()))
        {
            var problem = VariableRules.KeyError(entry.Key) ?? VariableRules.ValueError(entry.Value)
                ?? (IsReserved(entry.Key, builtIn) ? $"{entry.Key} is a built-in variable." : null);
            if (problem is not null)
            {
                errors.Add(new ImportLineError(entry.Line, problem));
            }
            else if (own.TryGetValue(entry.Key, out var existing))
            {
                if (existing.IsSecret)
                {
                    errors.Add(new ImportLineError(entry.Line, $"{entry.Key} is a secret here: change it as a secret."));
                }
                else if (!overwrite || existing.Value == entry.Value)
                {
                    skipped.Add(entry.Key);
                }
                else
                {
                    existing.Value = entry.Value;
                    existing.UpdatedAt = now;
                    updated.Add(entry.Key);
                }
            }
            else
            {
                db.Variables.Add(new Variable
                {
                    OrganizationId = holder.OrganizationId,
                    ProjectId = holder.ProjectId,
                    EnvironmentId = holder.EnvironmentId,
                    ApplicationId = holder.ApplicationId,
                    Scope = scope,
                    Key = entry.Key,
                    Value = entry.Value,
                    OwnerId = caller.UserId,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
                created.Add(entry.Key);
            }
        }

        if (created.Count + updated.Count > 0)
        {
            if (await SaveAsync(db, holder, caller, $"Imported {created.Count} new and {updated.Count} changed variables on the {Name(scope)} scope.", "UPDATED") is { } refused)
            {
                return refused;
            }
        }

        return new ImportResult(created, updated, skipped, errors.OrderBy(e => e.Line).ToList());
    }

    private static string Noun(bool secret) => secret ? "Secret" : "Variable";

    private static string Name(VariableScope scope) => scope == VariableScope.BuiltIn ? "BUILT_IN" : scope.ToString().ToUpperInvariant();

    private static bool IsReserved(string key, HashSet<string> builtIn) => key == VariableRules.PortKey || builtIn.Contains(key);

    private static void AddKeyAndValueErrors(Dictionary<string, string[]> errors, string? key, string? value)
    {
        if (VariableRules.KeyError(key) is { } keyError)
        {
            errors["key"] = [keyError];
        }

        if (VariableRules.ValueError(value) is { } valueError)
        {
            errors["value"] = [valueError];
        }
    }

    private async Task<DomainError?> ConflictAsync(PlatformDbContext db, VariableHolder holder, string key, Guid? exceptId)
    {
        var builtIn = await BuiltInVariables.ForAsync(db, holder, runtimes, protector, withSecretValues: false, CancellationToken.None);
        if (IsReserved(key, builtIn.Select(b => b.Key).ToHashSet()))
        {
            return DomainError.Forbidden($"{key} is a BUILT_IN variable: the platform sets it, and it cannot be created, changed or deleted.");
        }

        return await holder.Own(db).AnyAsync(v => v.Key == key && v.Id != exceptId)
            ? DomainError.Conflict("key", $"{key} is already set here, as a variable or a secret: change that one instead.")
            : null;
    }

    private async Task<Result<VariableHolder>> ChangeableHolderAsync(Caller caller, VariableScope scope, Guid holderId)
    {
        if (scope == VariableScope.BuiltIn)
        {
            return BuiltInForbidden();
        }

        return await access.WithAsync<VariableHolder>(caller, VariableHolder.ResourceOf(scope, holderId), Permission.ManageServices, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var holder = await VariableHolder.LoadAsync(db, scope, holderId);
            return holder.Archived ? ArchivedConflict(holder) : holder;
        });
    }

    private async Task<Result<(PlatformDbContext Db, Variable Variable, VariableHolder Holder)>> FindChangeableAsync(Caller caller, Guid variableId, bool secret)
    {
        if (variableId.Version == 8)
        {
            return BuiltInForbidden();
        }

        return await access.WithAsync<(PlatformDbContext, Variable, VariableHolder)>(caller, Resource.Variable(variableId), Permission.ManageServices, async _ =>
        {
            var db = await dbFactory.CreateDbContextAsync();
            var variable = await db.Variables.FirstAsync(v => v.Id == variableId);
            if (variable.IsSecret != secret)
            {
                await db.DisposeAsync();
                return DomainError.NotFound(secret ? "The secret" : "The variable");
            }

            var holder = await VariableHolder.OfAsync(db, variable);
            if (holder.Archived)
            {
                await db.DisposeAsync();
                return ArchivedConflict(holder);
            }

            return (db, variable, holder);
        });
    }

    /// <summary>
    /// Saves with the event, and marks the deployed applications that use the holder's variables. Holding the
    /// environment's row, like changes to its services do, so archiving cannot slip in between.
    /// </summary>
    private async Task<DomainError?> SaveAsync(PlatformDbContext db, VariableHolder holder, Caller caller, string message, string state)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        if (holder.EnvironmentId is { } environmentId
            && (await db.Database.SqlQuery<bool>($"SELECT archived AS \"Value\" FROM environment WHERE id = {environmentId} FOR UPDATE").ToListAsync()).FirstOrDefault())
        {
            return ArchivedConflict(holder);
        }

        await holder.Applications(db).Where(a => a.DeployedAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.RestartNeeded, true));
        await db.SaveWithEventsAsync([EventLog.New(holder.Subject, state, SimpleState.Ok, message, caller.UserId, clock.GetUtcNow())]);
        await transaction.CommitAsync();
        return null;
    }

    /// <summary>The effective set for a holder: user variables over the built-in ones, nearest scope first.</summary>
    private async Task<List<(ResolvedVariable Variable, VariableScope? Overrides)>> ResolveAsync(
        PlatformDbContext db, VariableScope scope, Guid holderId, bool withSecretValues, CancellationToken cancellationToken)
    {
        var (holder, stored, hasDatabases) = await VariableHolder.LoadWithVariablesAsync(db, scope, holderId, cancellationToken);
        var candidates = (await BuiltInVariables.ForAsync(db, holder, runtimes, protector, withSecretValues, cancellationToken, hasDatabases))
            .Concat(stored.Select(v => new ResolvedVariable(
                v.Id, v.Key, v.IsSecret ? (withSecretValues ? protector.Unprotect(v.ProtectedValue!) : null) : v.Value, v.Scope, v.IsSecret, v.Description)));
        return candidates.GroupBy(v => v.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var ordered = g.OrderByDescending(v => v.Scope).ToList();
                return (ordered[0], ordered.Count > 1 ? ordered[1].Scope : (VariableScope?)null);
            })
            .OrderBy(v => v.Item1.Key, StringComparer.Ordinal)
            .ToList();
    }

    private static DomainError BuiltInForbidden() =>
        DomainError.Forbidden("BUILT_IN variables are made by the platform: they cannot be created, changed or deleted.");

    private static DomainError ArchivedConflict(VariableHolder holder) =>
        DomainError.Conflict($"\"{holder.Name}\" belongs to an archived environment: unarchive it before changing its variables.");

    private static VariableView ToView(Variable v) => new(v.Id, v.Key, v.IsSecret ? null : v.Value, v.Scope, v.IsSecret, v.Description, null);
}
