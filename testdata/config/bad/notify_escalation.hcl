notifier "mail" {
  plugin = "email"
}

contact "kari" {
  email = "kari@example.com"
}

contact "boss" {
  email = "boss@example.com"
}

route "errors" {
  notifiers = ["mail"]
  to        = ["kari"]
  escalate {
    after = "30m"
    add   = ["boss"]
  }
  escalate {
    after = "15m"
    add   = ["boss"]
  }
  escalate {
    after_notifications = 5
    add                 = ["boss"]
  }
  escalate {
    after_notifications = 5
    replace             = ["boss"]
  }
  escalate {
    after_notifications = 0
    add                 = ["boss"]
  }
  escalate {
    after               = "1h"
    after_notifications = 9
    add                 = ["boss"]
    replace             = ["kari"]
  }
  escalate {
  }
}
