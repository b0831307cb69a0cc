using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Platform.Domain.Access;
using Platform.Domain.Billing.Payments;
using Platform.Domain.Common;

namespace Platform.Domain.Billing.Cards;

/// <summary>
/// A card as typed in the form or the API; the holder's name is optional (the draft's form has none). Its text form
/// hides everything: it must never reach a log.
/// </summary>
public sealed record CardInput(string? Number, string? Cvv, int? ExpiryMonth, int? ExpiryYear, string? Holder = null)
{
    public override string ToString() => $"{nameof(CardInput)} {{ *** }}";
}

/// <summary>A card as it may be shown: masked to its last four digits.</summary>
public sealed record CardView(Guid Id, string Brand, string LastFour, int ExpiryMonth, int ExpiryYear, bool IsDefault, bool IsExpired);

/// <summary>
/// An organization's cards (PRODUCT.md section 9): added through the payment gateway, which keeps the number; the
/// row keeps its token, brand, last four digits and expiry. The API and the billing pages call it alike. The card
/// added last is the default, the one the invoice job charges: a card is added to pay with it.
/// </summary>
public sealed partial class CardService(
    IDbContextFactory<PlatformDbContext> dbFactory,
    TenantAccess access,
    IPaymentGateway gateway,
    ISecretProtector protector,
    TimeProvider clock,
    BillingAttempts attempts,
    ILogger<CardService> logger)
{
    /// <summary>The longest brand name a card row keeps.</summary>
    public const int MaxBrandLength = 20;

    public Task<Result<IReadOnlyList<CardView>>> ListAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<CardView>>(caller, Resource.Organization(organizationId), Permission.ManageBilling, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var cards = await db.CreditCards.Where(c => c.OrganizationId == organizationId).OrderByDescending(c => c.CreatedAt).ToListAsync(cancellationToken);
            return cards.Select(View).ToList();
        }, cancellationToken);

    public Task<Result<CardView>> AddAsync(Caller caller, Guid organizationId, CardInput card, CancellationToken cancellationToken = default) =>
        access.WithAsync<CardView>(caller, Resource.Organization(organizationId), Permission.ManageBilling, async _ =>
        {
            var errors = CardRules.Check(card.Number, card.Cvv, card.ExpiryMonth, card.ExpiryYear, clock.GetUtcNow(), card.Holder);
            if (errors.Count > 0)
            {
                return DomainError.Validation(errors);
            }

            if (attempts.Take(BillingAttempt.CardCheck, organizationId, caller, "number") is { } tooMany)
            {
                return tooMany;
            }

            TokenizedCard tokenized;
            try
            {
                tokenized = await gateway.TokenizeAsync(
                    new CardDetails(CardRules.Digits(card.Number)!, card.ExpiryMonth!.Value, card.ExpiryYear!.Value, card.Cvv!, Validation.Clean(card.Holder)), cancellationToken);
            }
            catch (CardRejectedException rejected)
            {
                return DomainError.Validation("number", rejected.Message);
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Two cards added at once take turns on the organization's row: each makes itself the one default.
            await db.Organizations.FromSql($"SELECT * FROM organization WHERE id = {organizationId} FOR NO KEY UPDATE").AsNoTracking().ToListAsync(cancellationToken);
            await db.CreditCards.Where(c => c.OrganizationId == organizationId && c.IsDefault)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.IsDefault, false), cancellationToken);
            var row = new CreditCard
            {
                OrganizationId = organizationId,
                ProtectedToken = protector.Protect(tokenized.Token),
                // The gateway names the brand; a longer name than the column keeps is cut, not a failure after the card was taken.
                Brand = tokenized.Brand.Length > MaxBrandLength ? tokenized.Brand[..MaxBrandLength] : tokenized.Brand,
                LastFour = tokenized.LastFour,
                ExpiryMonth = tokenized.ExpiryMonth,
                ExpiryYear = tokenized.ExpiryYear,
                IsDefault = true,
                CreatedAt = clock.GetUtcNow(),
            };
            db.CreditCards.Add(row);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            LogCardAdded(logger, organizationId, row.Brand, row.LastFour);
            return View(row);
        }, cancellationToken);

    /// <summary>Removes a card; when it was the default, the newest card left becomes the default.</summary>
    public Task<Result<bool>> DeleteAsync(Caller caller, Guid cardId, CancellationToken cancellationToken = default) =>
        access.WithAsync<bool>(caller, Resource.CreditCard(cardId), Permission.ManageBilling, async granted =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var card = await db.CreditCards.FirstOrDefaultAsync(c => c.Id == cardId, cancellationToken);
            if (card is null)
            {
                return DomainError.NotFound(Resource.CreditCard(cardId).Noun);
            }

            db.CreditCards.Remove(card);
            await db.SaveChangesAsync(cancellationToken);
            if (card.IsDefault)
            {
                var newest = await db.CreditCards.Where(c => c.OrganizationId == granted.OrganizationId)
                    .OrderByDescending(c => c.CreatedAt).FirstOrDefaultAsync(cancellationToken);
                if (newest is not null)
                {
                    newest.IsDefault = true;
                    await db.SaveChangesAsync(cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>Makes the card the one the invoice job charges; the organization's other cards stop being the default.</summary>
    public Task<Result<CardView>> MakeDefaultAsync(Caller caller, Guid cardId, CancellationToken cancellationToken = default) =>
        access.WithAsync<CardView>(caller, Resource.CreditCard(cardId), Permission.ManageBilling, async granted =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The same turn on the organization's row as an added card takes: one default, whatever runs at once.
            await db.Organizations.FromSql($"SELECT * FROM organization WHERE id = {granted.OrganizationId} FOR NO KEY UPDATE").AsNoTracking().ToListAsync(cancellationToken);
            var card = await db.CreditCards.FirstOrDefaultAsync(c => c.Id == cardId, cancellationToken);
            if (card is null)
            {
                return DomainError.NotFound(Resource.CreditCard(cardId).Noun);
            }

            await db.CreditCards.Where(c => c.OrganizationId == granted.OrganizationId && c.IsDefault && c.Id != cardId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.IsDefault, false), cancellationToken);
            card.IsDefault = true;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return View(card);
        }, cancellationToken);

    /// <summary>The token of the organization's default card, for the invoice job to charge; null when it has none.</summary>
    public async Task<string?> DefaultCardTokenAsync(Guid organizationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var protectedToken = await db.CreditCards.Where(c => c.OrganizationId == organizationId && c.IsDefault)
            .Select(c => c.ProtectedToken).FirstOrDefaultAsync(cancellationToken);
        return protectedToken is null ? null : protector.Unprotect(protectedToken);
    }

    private CardView View(CreditCard c) =>
        new(c.Id, c.Brand, c.LastFour, c.ExpiryMonth, c.ExpiryYear, c.IsDefault, CreditCard.IsExpired(c.ExpiryMonth, c.ExpiryYear, clock.GetUtcNow()));

    [LoggerMessage(Level = LogLevel.Information, Message = "Card added to organization {OrganizationId}: {Brand} ending {LastFour}")]
    private static partial void LogCardAdded(ILogger logger, Guid organizationId, string brand, string lastFour);
}
