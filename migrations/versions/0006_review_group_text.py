"""a review item may hold a group's description that screening did not pass

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('moderation_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_moderation_items_group_id'), ['group_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_moderation_items_group_id_groups'), 'groups', ['group_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('moderation_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_moderation_items_group_id_groups'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_moderation_items_group_id'))
        batch_op.drop_column('group_id')
