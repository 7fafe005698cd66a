# Converted by vakt import nagios from objects/contacts.cfg.

# objects/contacts.cfg:27: not converted: vakt has no contacts in HCL yet (the notification issue adds them)
#   define contact {
#
#       contact_name            nagiosadmin             ; Short name of user
#       use                     generic-contact         ; Inherit default values from generic-contact template (defined above)
#       alias                   Nagios Admin            ; Full name of user
#       email                   nagios@localhost ; <<***** CHANGE THIS TO YOUR EMAIL ADDRESS ******
#   }

# objects/contacts.cfg:46: not converted: vakt has no contacts in HCL yet (the notification issue adds them)
#   define contactgroup {
#
#       contactgroup_name       admins
#       alias                   Nagios Administrators
#       members                 nagiosadmin
#   }
