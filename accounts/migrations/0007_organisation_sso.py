"""Single sign-on: an organisation's OpenID Connect provider, under its row-level security."""

import django.db.models.deletion
import kernel.validators
from django.db import migrations, models

from kernel.row_security import secure_tenant_tables


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_scim'),
        ('kernel', '0015_mentioned'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrganisationSSO',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('issuer', models.URLField(help_text="The provider's issuer, e.g. https://example.okta.com or https://login.microsoftonline.com/<tenant>/v2.0; its discovery document is at <issuer>/.well-known/openid-configuration.", max_length=300, verbose_name='Issuer URL')),
                ('client_id', models.CharField(max_length=255, validators=[kernel.validators.NoControlCharacters(multiline=False)], verbose_name='Client ID')),
                ('client_secret', models.CharField(max_length=500, verbose_name='Client secret')),
                ('allowed_domains', models.CharField(blank=True, help_text='People with a verified address at these domains may join as staff the first time they sign in, e.g. “example.org, example.com”. Empty: by invitation only.', max_length=500, validators=[kernel.validators.NoControlCharacters(multiline=False)], verbose_name='Allowed email domains')),
                ('require_sso', models.BooleanField(default=False, help_text='Members cannot log in with a password; organisation admins still can, so that a broken provider does not lock the organisation out.', verbose_name='Members must sign in with SSO')),
                ('enabled', models.BooleanField(default=True, verbose_name='On')),
                ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='sso', to='kernel.organisation')),
            ],
            options={
                'verbose_name': 'single sign-on',
                'verbose_name_plural': 'single sign-on',
            },
        ),
        secure_tenant_tables("accounts_organisationsso"),
    ]
