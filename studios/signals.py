"""What the studios side tells the others (funding above all); studios never imports funding.

Sent **inside** the service's transaction, as honourees' ``honouree_named`` is: a receiver's changes
(funding moving the second instalment from blocked to due, or to forfeited) commit or roll back together
with the fact that caused them, so there is never a passed assessment with an instalment still blocked
by a half-run receiver. So a receiver must be quick and must not call out or enqueue work before commit
(use ``transaction.on_commit`` for that); if it raises, the studio's change is refused with it.
Nothing hangs on the signal alone: funding's daily tick re-checks the same facts with
``studios.selectors.condition_met(honouree, condition)``.

Payloads (keyword arguments besides ``sender``):

``studio_established``  sender=Studio; studio, honouree (Honouree), institution_kind (str),
                        plaque_date (date), by (user)
``studio_closed``       sender=Studio; studio, honouree, closed_on (date), reason (str), by
``assessment_recorded`` sender=Assessment; assessment, studio, honouree, period (int), status (str),
                        grade (str: excellent/pass/fail), total (Decimal), passed (bool), final (bool), by.
                        Sent when a result is recorded (first assessment or re-assessment) and when a fail
                        is made final; ``final`` False means a rectification may still turn it around.
"""

from django.dispatch import Signal

studio_established = Signal()
studio_closed = Signal()
assessment_recorded = Signal()
