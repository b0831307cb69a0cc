// The edge's plumbing, used by every feature's endpoints: typed results, problem details, the bound caller.
global using Microsoft.AspNetCore.Http.HttpResults;
global using Platform.Portal.Infrastructure.Auth;
global using Platform.Portal.Infrastructure.Problems;
global using Platform.Portal.Infrastructure.OpenApi;
