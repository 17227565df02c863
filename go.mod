module github.com/netlify-mux-signing/netlify-mux-signing

go 1.26.0

require (
	github.com/aws/aws-lambda-go v1.55.1
	github.com/golang-jwt/jwt/v5 v5.3.1
	golang.org/x/net v0.62.0
)
