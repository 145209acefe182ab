# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN powershell -Command `
    Write-Host C:\ `
    ; Write-Host done
WORKDIR C:\app\
COPY . C:\app
