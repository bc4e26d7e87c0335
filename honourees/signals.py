"""What the intake side tells the others. Sent inside the naming transaction, so a receiver that fails
undoes the naming: funding makes the award plan, the registry the benefit entitlements."""

from django.dispatch import Signal

# honouree_named.send(sender=Honouree, honouree=..., by=user)
honouree_named = Signal()
