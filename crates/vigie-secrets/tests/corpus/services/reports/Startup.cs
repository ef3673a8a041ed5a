using Microsoft.Extensions.Configuration;

public class Startup
{
    public void Configure(IConfiguration configuration)
    {
        var apiKey = configuration["ApiKey"];
        var connectionString = configuration.GetConnectionString("Reports");
        var password = Environment.GetEnvironmentVariable("SMTP_PASSWORD");
        var token = await tokenProvider.GetTokenAsync(cancellationToken);
    }
}
