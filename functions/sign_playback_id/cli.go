package main

import (
	"errors"
	"io"
)

func runSign(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("sign: not yet implemented")
}

func runVerify(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("verify: not yet implemented")
}

func runCheck(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("check: not yet implemented")
}
