"""safeguarding: cases, chronology, actions, information sharing, views, messages, rota, deadlines, outbox

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('safeguarding_rota',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_safeguarding_rota_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_safeguarding_rota_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_rota'))
    )
    with op.batch_alter_table('safeguarding_rota', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_rota_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_safeguarding_rota_when', ['starts_at', 'ends_at'], unique=False)

    op.create_table('safeguarding_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('pathway', sa.String(length=20), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('deadline_at', sa.DateTime(), nullable=False),
    sa.Column('escalation_step', sa.Integer(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_lead_id', sa.Integer(), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('age_band', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('subject_description', sa.String(length=300), nullable=False),
    sa.Column('concerns_user_id', sa.Integer(), nullable=True),
    sa.Column('admins_only', sa.Boolean(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reporter_contact', sa.String(length=254), nullable=False),
    sa.Column('review_item_id', sa.Integer(), nullable=True),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('verdict', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('closure_reason', sa.String(length=40), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('reopened_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_safeguarding_cases_acknowledged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_safeguarding_cases_area_id_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assigned_lead_id'], ['users.id'], name=op.f('fk_safeguarding_cases_assigned_lead_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_safeguarding_cases_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['concerns_user_id'], ['users.id'], name=op.f('fk_safeguarding_cases_concerns_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_safeguarding_cases_post_id_posts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_safeguarding_cases_reporter_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_item_id'], ['moderation_items.id'], name=op.f('fk_safeguarding_cases_review_item_id_moderation_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['users.id'], name=op.f('fk_safeguarding_cases_subject_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_cases')),
    sa.UniqueConstraint('source_kind', 'source_id', name=op.f('uq_safeguarding_cases_source_kind'))
    )
    with op.batch_alter_table('safeguarding_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_cases_assigned_lead_id'), ['assigned_lead_id'], unique=False)
        batch_op.create_index('ix_safeguarding_cases_state_deadline', ['state', 'deadline_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_cases_subject_id'), ['subject_id'], unique=False)

    op.create_table('safeguarding_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_safeguarding_actions_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['safeguarding_cases.id'], name=op.f('fk_safeguarding_actions_case_id_safeguarding_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_actions'))
    )
    with op.batch_alter_table('safeguarding_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_actions_case_id'), ['case_id'], unique=False)

    op.create_table('safeguarding_case_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('page', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['safeguarding_cases.id'], name=op.f('fk_safeguarding_case_views_case_id_safeguarding_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_safeguarding_case_views_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_case_views'))
    )
    with op.batch_alter_table('safeguarding_case_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_case_views_case_id'), ['case_id'], unique=False)

    op.create_table('safeguarding_chronology',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_safeguarding_chronology_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['safeguarding_cases.id'], name=op.f('fk_safeguarding_chronology_case_id_safeguarding_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_chronology'))
    )
    with op.batch_alter_table('safeguarding_chronology', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_chronology_case_id'), ['case_id'], unique=False)

    op.create_table('safeguarding_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['safeguarding_cases.id'], name=op.f('fk_safeguarding_deadlines_case_id_safeguarding_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_deadlines')),
    sa.UniqueConstraint('case_id', 'step', name=op.f('uq_safeguarding_deadlines_case_id'))
    )
    with op.batch_alter_table('safeguarding_deadlines', schema=None) as batch_op:
        batch_op.create_index('ix_safeguarding_deadlines_due', ['done_at', 'due_at'], unique=False)

    op.create_table('safeguarding_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('from_lead', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('screening', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_safeguarding_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['safeguarding_cases.id'], name=op.f('fk_safeguarding_messages_case_id_safeguarding_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_messages'))
    )
    with op.batch_alter_table('safeguarding_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_messages_case_id'), ['case_id'], unique=False)

    op.create_table('safeguarding_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=120), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['safeguarding_cases.id'], name=op.f('fk_safeguarding_outbox_case_id_safeguarding_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_safeguarding_outbox_recipient_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_safeguarding_outbox_idempotency_key'))
    )
    with op.batch_alter_table('safeguarding_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_outbox_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_safeguarding_outbox_due', ['sent_at', 'next_attempt_at'], unique=False)

    op.create_table('safeguarding_sharing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('with_whom', sa.String(length=200), nullable=False),
    sa.Column('lawful_basis', sa.String(length=40), nullable=False),
    sa.Column('consent_sought', sa.Boolean(), nullable=False),
    sa.Column('consent_note', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_safeguarding_sharing_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['safeguarding_cases.id'], name=op.f('fk_safeguarding_sharing_case_id_safeguarding_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_sharing'))
    )
    with op.batch_alter_table('safeguarding_sharing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_sharing_case_id'), ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('safeguarding_sharing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_sharing_case_id'))

    op.drop_table('safeguarding_sharing')
    with op.batch_alter_table('safeguarding_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_safeguarding_outbox_due')
        batch_op.drop_index(batch_op.f('ix_safeguarding_outbox_case_id'))

    op.drop_table('safeguarding_outbox')
    with op.batch_alter_table('safeguarding_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_messages_case_id'))

    op.drop_table('safeguarding_messages')
    with op.batch_alter_table('safeguarding_deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_safeguarding_deadlines_due')

    op.drop_table('safeguarding_deadlines')
    with op.batch_alter_table('safeguarding_chronology', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_chronology_case_id'))

    op.drop_table('safeguarding_chronology')
    with op.batch_alter_table('safeguarding_case_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_case_views_case_id'))

    op.drop_table('safeguarding_case_views')
    with op.batch_alter_table('safeguarding_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_actions_case_id'))

    op.drop_table('safeguarding_actions')
    with op.batch_alter_table('safeguarding_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_cases_subject_id'))
        batch_op.drop_index('ix_safeguarding_cases_state_deadline')
        batch_op.drop_index(batch_op.f('ix_safeguarding_cases_assigned_lead_id'))

    op.drop_table('safeguarding_cases')
    with op.batch_alter_table('safeguarding_rota', schema=None) as batch_op:
        batch_op.drop_index('ix_safeguarding_rota_when')
        batch_op.drop_index(batch_op.f('ix_safeguarding_rota_user_id'))

    op.drop_table('safeguarding_rota')
