using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Platform.Domain.Common;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the portal or a database.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PlatformDbContext>
{
    public PlatformDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, "Host=127.0.0.1;Database=platform_design_time");
        return new PlatformDbContext(options.Options);
    }
}
