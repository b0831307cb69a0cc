namespace Platform.Tests.Support;

/// <summary>Mail the portal wrote to its data folder, as it does when no SMTP host is set.</summary>
public static class MailFolder
{
    /// <summary>The first mail that matches, waiting up to 20 s for the background job to write it; null if none.</summary>
    public static async Task<string?> WaitForMailAsync(this PortalFactory portal, Func<string, bool> match)
    {
        var folder = Path.Combine(portal.DataDirectory, "mail");
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var mail = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.eml").Select(File.ReadAllText).FirstOrDefault(match) : null;
            if (mail is not null)
            {
                return mail;
            }

            await Task.Delay(200);
        }

        return null;
    }
}
