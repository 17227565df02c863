// Command floor is the least a Go function on the same libraries can do to
// answer the first request: the floor `make bench` measures the deployed
// function's cold start against. Built the way Netlify builds the function
// (-ldflags "-s -w" -tags lambda.norpc, CGO off), it reads MUX_SIGNING_KEY
// and MUX_PRIVATE_KEY (PEM, or base64 of PEM as Mux returns it), parses the
// key with golang-jwt, and answers every event through aws-lambda-go with a
// 302 to the playback URL carrying one RS256 token. It validates nothing
// else: it is a yardstick, not a function to deploy.
package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/golang-jwt/jwt/v5"
)

func main() {
	keyID := os.Getenv("MUX_SIGNING_KEY")
	pemKey := os.Getenv("MUX_PRIVATE_KEY")
	if !strings.HasPrefix(strings.TrimSpace(pemKey), "-----BEGIN") {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(pemKey))
		if err != nil {
			fmt.Fprintln(os.Stderr, "floor: MUX_PRIVATE_KEY is neither PEM nor base64:", err)
			os.Exit(1)
		}
		pemKey = string(b)
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(pemKey))
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor: MUX_PRIVATE_KEY:", err)
		os.Exit(1)
	}
	lambda.Start(func(_ context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		id := req.QueryStringParameters["playbackId"]
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
			"sub": id,
			"aud": "v",
			"exp": time.Now().Add(7 * 24 * time.Hour).Unix(),
			"kid": keyID,
		})
		tok.Header["kid"] = keyID
		signed, err := tok.SignedString(key)
		if err != nil {
			return events.APIGatewayProxyResponse{StatusCode: 500}, fmt.Errorf("signing: %w", err)
		}
		return events.APIGatewayProxyResponse{
			StatusCode: 302,
			Headers: map[string]string{
				"Location":      "https://stream.mux.com/" + id + ".m3u8?token=" + signed,
				"Cache-Control": "private, no-store",
			},
		}, nil
	})
}
