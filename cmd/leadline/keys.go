package main

import (
	"context"
	"fmt"
	"io"

	"github.com/leadline/leadline/appointment"
	"github.com/leadline/leadline/datakey"
	"github.com/leadline/leadline/referral"
)

const keysUsage = `Usage:
  leadline keys new       print a new data key (LEADLINE_DATA_KEY)
  leadline keys rotate    print the data key (from LEADLINE_DATA_KEY or
                          LEADLINE_DATA_KEY_FILE) with a new sealing key as
                          primary; the old ones stay, to open what they sealed
  leadline keys reseal    seal anew, under the newest key, what Redis holds
                          in the clear (stored before the program had a key)
                          or under an older key (reads REDIS_URL and the key)
  leadline keys show      describe the data key, without its secrets

The data key holds secret key material: keep it where the Twilio auth token
is kept, never in the config or the repository. After rotate: give every
instance the new key (restart them all together: an instance with the old
key cannot open what one with the new key sealed), then run reseal.
`

// keysCmd makes, rotates and describes the data key, and reseals Redis.
func keysCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cmd := newCommand("keys", keysUsage, stdout, stderr)
	if err := cmd.parse(args); err != nil {
		return err
	}
	if cmd.NArg() != 1 {
		return cmd.misuse("keys takes one of new, rotate, reseal, show")
	}
	switch cmd.Arg(0) {
	case "new":
		k, err := datakey.New()
		if err != nil {
			return err
		}
		return printKey(stdout, k)
	case "rotate":
		k, err := datakey.FromEnv(getenv)
		if err != nil {
			return err
		}
		if k, err = k.Rotate(); err != nil {
			return err
		}
		fmt.Fprintln(stderr, k.Info())
		return printKey(stdout, k)
	case "show":
		k, err := datakey.FromEnv(getenv)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, k.Info())
		return err
	case "reseal":
		k, err := datakey.FromEnv(getenv)
		if err != nil {
			return err
		}
		rdb, err := redisFromEnv(getenv)
		if err != nil {
			return err
		}
		defer rdb.Close()
		renamed, parts, err := appointment.Reseal(ctx, rdb, k)
		if err != nil {
			return err
		}
		fields, err := referral.Reseal(ctx, rdb, k)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "sealed %d referral fields and %d participant fields; renamed %d participants to keyed names\n",
			fields, parts, renamed)
		return err
	}
	return cmd.misuse("unknown keys subcommand %q", cmd.Arg(0))
}

func printKey(w io.Writer, k *datakey.Keys) error {
	s, err := k.Export()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, s)
	return err
}
