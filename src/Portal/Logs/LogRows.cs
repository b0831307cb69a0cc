using Platform.Domain.Deployments;
using Platform.Domain.Logs;

namespace Platform.Portal.Logs;

/// <summary>
/// A line as the viewer shows it. <see cref="Explanation"/> is set on the last line of a run of consecutive lines of
/// one deployment that share an explanation, so one failure printed on three lines gets one box, below the three.
/// </summary>
public sealed record LogRow(LogView Line, bool Explained, LogView? Explanation, int RunLength);

public static class LogRows
{
    public static IReadOnlyList<LogRow> Of(IReadOnlyList<LogView> lines)
    {
        var rows = new List<LogRow>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.MessageHumanExplanation is null)
            {
                rows.Add(new LogRow(line, false, null, 0));
                continue;
            }

            var start = i;
            while (i + 1 < lines.Count && SameCause(lines[i + 1], line))
            {
                rows.Add(new LogRow(lines[i], true, null, 0));
                i++;
            }

            rows.Add(new LogRow(lines[i], true, lines[i], i - start + 1));
        }

        return rows;
    }

    private static bool SameCause(LogView next, LogView first) =>
        next.MessageHumanExplanation == first.MessageHumanExplanation && next.DeploymentId == first.DeploymentId;

    /// <summary>How the deployment filter names a deployment: <c>ab12cd3 · Fix login · 2 Dec 10:04</c> (UTC), or its action without a commit.</summary>
    public static string DeploymentLabel(ServiceDeploymentView deployment)
    {
        var at = deployment.CreatedAt.UtcDateTime.ToString("d MMM HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        if (deployment.Commit is not { } commit)
        {
            return $"{deployment.Action} · {at}";
        }

        var message = commit.Message.Split('\n', 2)[0].Trim();
        message = message.Length > 40 ? string.Concat(message.AsSpan(0, 39), "…") : message;
        return message.Length == 0 ? $"{commit.ShortId} · {at}" : $"{commit.ShortId} · {message} · {at}";
    }
}
