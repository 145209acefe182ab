# lines: 3
FROM mcr.microsoft.com/dotnet/sdk:8.0
RUN nuget restore
