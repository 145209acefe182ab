# lines: 3
FROM mcr.microsoft.com/dotnet/sdk:8.0
RUN --mount=type=bind,target=/root/.nuget/packages dotnet restore
