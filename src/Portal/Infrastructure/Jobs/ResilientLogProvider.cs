using Hangfire.Logging;

namespace Platform.Portal.Infrastructure.Jobs;

/// <summary>
/// Hangfire keeps its log provider, and loggers it hands out (to [AutomaticRetry], for one), in statics of the
/// process. When a host that created them is disposed while another keeps running in the same process (the
/// test suite starts many portals), its logger factory is gone: this drops such messages instead of failing
/// the job or the request that tried to log.
/// </summary>
public sealed class ResilientLogProvider(ILogProvider inner) : ILogProvider
{
    public ILog GetLogger(string name) => new ResilientLog(inner, name);

    private sealed class ResilientLog(ILogProvider provider, string name) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string> messageFunc, Exception exception)
        {
            try
            {
                return provider.GetLogger(name).Log(logLevel, messageFunc, exception);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
