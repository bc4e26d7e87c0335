"""What the intake and registry sides tell the others.

Every signal here is sent inside the transaction that made the change, and its receivers run inside it
too: what they write commits or rolls back with the change, and a receiver that fails undoes the change
(the naming, the revocation). The receivers do write rows of their own: funding makes the award plan at
naming and moves instalments (held, released, cancelled, marked for recovery, restored) when an honour's
status changes. Funding's daily tick re-checks the same facts, so nothing hangs on a signal alone.
"""

from django.dispatch import Signal

# Naming: funding makes the award plan (the benefit entitlements are granted by naming itself, before this).
# honouree_named.send(sender=Honouree, honouree=..., by=user)
honouree_named = Signal()

# One signal per move. Every change of an honour's status but a revocation and a reinstatement, which
# have their own below (suspended, moved away, deceased, resumed).
# honour_status_changed.send(sender=Honouree, honouree=..., change=HonoureeStatusChange, by=user)
# Funding re-reads the open instalments: held while the honour is not active, released again after.
honour_status_changed = Signal()

# A revocation: funding cancels the instalments not yet paid and, when
# ``recover_paid`` is true, marks the paid ones for recovery. The registry has already cancelled the
# benefit entitlements and marked delivered benefit money for recovery.
# honour_revoked.send(sender=Honouree, honouree=..., change=..., by=user, on=date, recover_paid=bool)
honour_revoked = Signal()

# A reinstatement: funding restores what the revocation cancelled and
# withdraws recovery marks not yet acted on; the registry has done the same for benefits.
# honour_reinstated.send(sender=Honouree, honouree=..., change=..., by=user, on=date)
honour_reinstated = Signal()
