// Package client talks to the Acme API.
//
//	c := client.New(os.Getenv("ACME_TOKEN"))
package client
