// Command serve runs the webhook notifier as a plugin process, for the
// plugin's process test.
package main

import (
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/webhook"
)

func main() { sdk.ServeNotifier(webhook.New()) }
