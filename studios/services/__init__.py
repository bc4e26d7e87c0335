"""Every write of the studios side: one service per change, keyword-only, the acting user as ``by``; one
module per concern (studios, apprentices, sessions, assessments, evidence). Import from those modules: this
package exports nothing.

Each service checks who may do it (``studios.permissions``), locks the rows it changes (the studio first,
then what is under it), re-checks state under the lock, writes history with ``save_as`` and raises a
DomainError naming the field (and the row, for an import). Bad input is collected and refused as a whole
(``checks``): nothing is half-saved.
"""
