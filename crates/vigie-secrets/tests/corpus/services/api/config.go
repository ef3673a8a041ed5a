package api

type Config struct {
	DSN      string
	Password string
}

var defaultConfig = Config{
	DSN:      "mysql://orders@tcp(db:3306)/orders",
	Password: "m3hcT1-bf3C1U-8309",
}
