"""group directory: organisations, taxonomies, groups, schedules, sessions, bookings, members;
notifications may point at a group instead of a post

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('uuid', name=op.f('uq_organisations_uuid'))
    )
    op.create_table('taxonomies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('uri', sa.String(length=300), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomies')),
    sa.UniqueConstraint('uuid', name=op.f('uq_taxonomies_uuid'))
    )
    op.create_table('calendar_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_tokens')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_tokens_token')),
    sa.UniqueConstraint('user_id', name=op.f('uq_calendar_tokens_user_id'))
    )
    op.create_table('taxonomy_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('taxonomy_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['taxonomy_terms.id'], name=op.f('fk_taxonomy_terms_parent_id_taxonomy_terms')),
    sa.ForeignKeyConstraint(['taxonomy_id'], ['taxonomies.id'], name=op.f('fk_taxonomy_terms_taxonomy_id_taxonomies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_terms')),
    sa.UniqueConstraint('uuid', name=op.f('uq_taxonomy_terms_uuid'))
    )
    with op.batch_alter_table('taxonomy_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_taxonomy_terms_taxonomy_id'), ['taxonomy_id'], unique=False)

    op.create_table('groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('sal_uuid', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_source', sa.String(length=20), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('min_age_months', sa.Integer(), nullable=False),
    sa.Column('max_age_months', sa.Integer(), nullable=False),
    sa.Column('level_of_need', sa.String(length=20), nullable=False),
    sa.Column('referral_only', sa.Boolean(), nullable=False),
    sa.Column('delivery', sa.String(length=60), nullable=False),
    sa.Column('languages', sa.String(length=120), nullable=False),
    sa.Column('outcomes', sa.String(length=300), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('cost_pence', sa.Integer(), nullable=False),
    sa.Column('cost_description', sa.String(length=200), nullable=False),
    sa.Column('step_free', sa.Boolean(), nullable=False),
    sa.Column('quiet_sensory', sa.Boolean(), nullable=False),
    sa.Column('hearing_loop', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_groups_area_id_areas')),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_groups_board_id_boards'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['taxonomy_terms.id'], name=op.f('fk_groups_category_id_taxonomy_terms')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_groups_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_groups_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], name=op.f('fk_groups_venue_id_venues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groups')),
    sa.UniqueConstraint('sal_uuid', name=op.f('uq_groups_sal_uuid')),
    sa.UniqueConstraint('uuid', name=op.f('uq_groups_uuid'))
    )
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_groups_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_groups_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_groups_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_groups_state'), ['state'], unique=False)
        batch_op.create_index('ix_groups_state_area', ['state', 'area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_groups_venue_id'), ['venue_id'], unique=False)

    op.create_table('group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_members_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_members')),
    sa.UniqueConstraint('group_id', 'user_id', name=op.f('uq_group_members_group_id'))
    )
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_members_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_members_user_id'), ['user_id'], unique=False)

    op.create_table('group_organisers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_organisers_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_organisers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_organisers')),
    sa.UniqueConstraint('group_id', 'user_id', name=op.f('uq_group_organisers_group_id'))
    )
    with op.batch_alter_table('group_organisers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_organisers_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_organisers_user_id'), ['user_id'], unique=False)

    op.create_table('group_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('rrule', sa.String(length=300), nullable=False),
    sa.Column('starts_local', sa.DateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('term_time_only', sa.Boolean(), nullable=False),
    sa.Column('holidays_only', sa.Boolean(), nullable=False),
    sa.Column('exdates', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_schedules_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_schedules')),
    sa.UniqueConstraint('uuid', name=op.f('uq_group_schedules_uuid'))
    )
    with op.batch_alter_table('group_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_schedules_group_id'), ['group_id'], unique=False)

    op.create_table('group_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=True),
    sa.Column('occurrence', sa.DateTime(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('in_school_holiday', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('moved', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('booked_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_sessions_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['schedule_id'], ['group_schedules.id'], name=op.f('fk_group_sessions_schedule_id_group_schedules'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_sessions')),
    sa.UniqueConstraint('schedule_id', 'occurrence', name=op.f('uq_group_sessions_schedule_id'))
    )
    with op.batch_alter_table('group_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_group_sessions_next', ['group_id', 'state', 'starts_at', 'weekday', 'start_minute', 'end_minute', 'in_school_holiday'], unique=False)

    op.create_table('group_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('promoted_at', sa.DateTime(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['group_sessions.id'], name=op.f('fk_group_bookings_session_id_group_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_bookings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_bookings')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_group_bookings_session_id'))
    )
    with op.batch_alter_table('group_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_bookings_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_group_bookings_user', ['user_id', 'state'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('text', sa.String(length=300), nullable=False, server_default=''))
        batch_op.alter_column('thread_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('post_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_notifications_group_id_groups'), 'groups', ['group_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_group_id_groups'), type_='foreignkey')
        batch_op.alter_column('post_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.alter_column('thread_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('text')
        batch_op.drop_column('group_id')

    with op.batch_alter_table('group_bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_group_bookings_user')
        batch_op.drop_index(batch_op.f('ix_group_bookings_session_id'))

    op.drop_table('group_bookings')
    with op.batch_alter_table('group_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_group_sessions_next')

    op.drop_table('group_sessions')
    with op.batch_alter_table('group_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_schedules_group_id'))

    op.drop_table('group_schedules')
    with op.batch_alter_table('group_organisers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_organisers_user_id'))
        batch_op.drop_index(batch_op.f('ix_group_organisers_group_id'))

    op.drop_table('group_organisers')
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_group_members_group_id'))

    op.drop_table('group_members')
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_groups_venue_id'))
        batch_op.drop_index('ix_groups_state_area')
        batch_op.drop_index(batch_op.f('ix_groups_state'))
        batch_op.drop_index(batch_op.f('ix_groups_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_groups_category_id'))
        batch_op.drop_index(batch_op.f('ix_groups_area_id'))

    op.drop_table('groups')
    with op.batch_alter_table('taxonomy_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_taxonomy_terms_taxonomy_id'))

    op.drop_table('taxonomy_terms')
    op.drop_table('calendar_tokens')
    op.drop_table('taxonomies')
    op.drop_table('organisations')
