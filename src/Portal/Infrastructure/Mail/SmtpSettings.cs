namespace Platform.Portal.Infrastructure.Mail;

/// <summary>Outgoing mail (section "Smtp", e.g. Smtp__Host). Without a host, mail is written to files instead.</summary>
public sealed class SmtpSettings
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "Platform <platform@localhost>";

    /// <summary>STARTTLS when the server offers it (Auto), always (Always) or never (None).</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;
}

public enum SmtpSecurity
{
    Auto,
    Always,
    None,
}
