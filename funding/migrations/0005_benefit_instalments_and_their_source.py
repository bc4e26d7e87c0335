"""Benefit instalments (an allowance paid through batches) and the source on each instalment."""

import django.db.models.deletion
from django.db import migrations, models


def fill_source(apps, schema_editor):
    """Every instalment so far is an award instalment: its source is its plan's."""
    Instalment = apps.get_model("funding", "Instalment")
    for plan_id, source_id in apps.get_model("funding", "AwardPlan").objects.values_list("id", "source_id"):
        Instalment.objects.filter(plan_id=plan_id).update(source_id=source_id)


class Migration(migrations.Migration):

    dependencies = [
        ('funding', '0004_bank_return_row_history'),
        ('honourees', '0004_registry_status_benefits'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='awardplan',
            name='award_plan_total_positive',
        ),
        migrations.AddField(
            model_name='historicalinstalment',
            name='entitlement',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='honourees.benefitentitlement'),
        ),
        migrations.AddField(
            model_name='historicalinstalment',
            name='kind',
            field=models.CharField(choices=[('award', '奖励'), ('benefit', '待遇')], default='award', max_length=10, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='historicalinstalment',
            name='occurrence_on',
            field=models.DateField(blank=True, null=True, verbose_name='due day of the benefit'),
        ),
        migrations.AddField(
            model_name='historicalinstalment',
            name='source',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='funding.fundingsource'),
        ),
        migrations.AddField(
            model_name='instalment',
            name='entitlement',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='funding_instalments', to='honourees.benefitentitlement'),
        ),
        migrations.AddField(
            model_name='instalment',
            name='kind',
            field=models.CharField(choices=[('award', '奖励'), ('benefit', '待遇')], default='award', max_length=10, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='instalment',
            name='occurrence_on',
            field=models.DateField(blank=True, null=True, verbose_name='due day of the benefit'),
        ),
        migrations.AddField(
            model_name='instalment',
            name='source',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='instalments', to='funding.fundingsource'),
        ),
        migrations.RunPython(fill_source, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='instalment',
            name='source',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='instalments', to='funding.fundingsource'),
        ),
        migrations.AddConstraint(
            model_name='awardplan',
            constraint=models.CheckConstraint(condition=models.Q(('total__gte', 0)), name='award_plan_total_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='instalment',
            constraint=models.UniqueConstraint(condition=models.Q(('entitlement__isnull', False)), fields=('entitlement', 'occurrence_on'), name='instalment_one_per_benefit_due_day'),
        ),
        migrations.AddConstraint(
            model_name='instalment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('entitlement__isnull', True), ('kind', 'award')), models.Q(('entitlement__isnull', False), ('kind', 'benefit'), ('occurrence_on__isnull', False)), _connector='OR'), name='instalment_benefit_names_its_due_day'),
        ),
    ]
