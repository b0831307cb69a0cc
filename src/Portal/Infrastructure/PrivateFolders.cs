namespace Platform.Portal.Infrastructure;

/// <summary>Folders only the portal's user may enter (mode 0700): its key ring, mail, ledgers, the embedded cluster's data.</summary>
public static class PrivateFolders
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Makes the folder if it is missing, and makes it private whether it was made now or by an earlier version.</summary>
    public static DirectoryInfo Create(string path)
    {
        var directory = Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            directory.UnixFileMode = Mode;
        }

        return directory;
    }
}
