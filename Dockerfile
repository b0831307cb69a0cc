# The portal as a container image. docker-compose.yml runs it with PostgreSQL 17 and a mail catcher.
# The SDK image decides the SDK version, so global.json (which pins this repository's band) is not copied.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Portal.Domain/Portal.Domain.csproj src/Portal.Domain/
COPY src/Portal/Portal.csproj src/Portal/
RUN dotnet restore src/Portal/Portal.csproj
COPY src/ src/
RUN dotnet publish src/Portal/Portal.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# git fetches the applications the local runtime deploys; bubblewrap, iproute2 and nftables make the sandbox every
# build and instance runs in. Applications see this image's /usr read-only: install here the runtimes they need
# (python3 for the sample; add nodejs, openjdk-17-jre, … as your teams do).
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates bubblewrap iproute2 nftables util-linux \
        python3 postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
RUN mkdir -p /data && chmod 755 /data
# The portal stays root in its container: it gives each application a uid of its own and makes network namespaces
# and cgroups for their sandboxes, which then hold no privilege at all. See docker-compose.yml for how to run it.
ENV ASPNETCORE_URLS=http://+:8080 \
    PORTAL_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["dotnet", "Portal.dll"]
