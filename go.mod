module github.com/netlify-mux-signing/netlify-mux-signing

go 1.26.0

require (
	github.com/MicahParks/jwkset v0.11.4
	github.com/aws/aws-lambda-go v1.55.1
	github.com/golang-jwt/jwt/v5 v5.3.1
	golang.org/x/net v0.62.0
)

require golang.org/x/time v0.9.0 // indirect
