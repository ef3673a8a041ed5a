param([string]$Environment = "staging")
$ConnectionString = "Server=tcp:sql.vigie.test,1433;Initial Catalog=orders;User ID=migrator;Password=uDzfmrPFxlSLJ9AWIs;Encrypt=True;"
Invoke-Sqlcmd -ConnectionString $ConnectionString -InputFile ./migrations/0042.sql
