// Command ivr-bot is a small IVR calling bot for Microsoft Graph, written as production code and
// tested with `callsim test` (tests/*.yaml). It answers incoming calls, plays a menu, listens for
// key presses and acts on them: 1 transfers the caller to the front desk, 0 plays the menu again,
// 9 hangs up; any other key plays the menu again. Callback requests are accepted only with a
// valid bearer token (RS256, signed by a key from the OpenID configuration, for this app).
//
// Configuration (environment; `callsim test` sets the CALLSIM_ ones):
//
//	CALLSIM_GRAPH_URL / GRAPH_URL     Graph base URL (default https://graph.microsoft.com/v1.0)
//	CALLSIM_BOT_PORT / PORT           port of the webhook listener (default 3978)
//	CALLSIM_APP_ID / APP_ID           the bot's application id: the audience of callback tokens
//	CALLSIM_OPENID_URL / OPENID_URL   where the callback signing keys are published
//	                                  (default https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration)
//	CALLSIM_TOKEN / GRAPH_TOKEN       the bearer token of the bot's Graph requests (in production,
//	                                  get one with azidentity's client credentials instead)
//	CALLBACK_URL                      the callbackUri the bot answers with (default http://127.0.0.1:PORT/api/calls)
//	FRONT_DESK_ID, FRONT_DESK_NAME    who 1 transfers to
//	MENU_PROMPT                       the menu's media URI
//	KEEPALIVE_EVERY                   how often to keepAlive an established call (default 15m)
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func env(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func main() {
	logger := log.New(os.Stdout, "ivr-bot: ", log.Lmicroseconds)
	port := orDefault(env("CALLSIM_BOT_PORT", "PORT"), "3978")
	cfg := Config{
		GraphURL:     orDefault(env("CALLSIM_GRAPH_URL", "GRAPH_URL"), "https://graph.microsoft.com/v1.0"),
		Token:        env("CALLSIM_TOKEN", "GRAPH_TOKEN"),
		CallbackURL:  orDefault(env("CALLBACK_URL"), "http://127.0.0.1:"+port+"/api/calls"),
		MenuPrompt:   orDefault(env("MENU_PROMPT"), "https://cdn.contoso.com/ivr/menu.wav"),
		FrontDeskID:  orDefault(env("FRONT_DESK_ID"), "7c8a5d2e-1b3f-4c6d-9e8f-0a1b2c3d4e5f"),
		FrontDeskTag: orDefault(env("FRONT_DESK_NAME"), "Front Desk"),
	}
	if v := env("KEEPALIVE_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			logger.Fatalf("KEEPALIVE_EVERY=%q: want a duration such as 15m", v)
		}
		cfg.KeepAliveEvery = d
	}
	appID := env("CALLSIM_APP_ID", "APP_ID")
	if appID == "" {
		logger.Fatal("no application id: set APP_ID (callsim test sets CALLSIM_APP_ID)")
	}
	openID := orDefault(env("CALLSIM_OPENID_URL", "OPENID_URL"), "https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration")

	ivr, err := NewIVR(cfg, logger)
	if err != nil {
		logger.Fatal(err)
	}
	validator := NewValidator(openID, appID, &http.Client{Timeout: 10 * time.Second})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go ivr.Run(ctx)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.Handle("POST /api/calls", validator.Require(http.HandlerFunc(ivr.Webhook)))
	srv := &http.Server{Addr: "127.0.0.1:" + port, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	logger.Printf("listening on %s, Graph at %s", srv.Addr, cfg.GraphURL)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Fatal(err)
	}
	logger.Print("stopped")
}
