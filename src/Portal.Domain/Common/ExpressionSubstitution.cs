using System.Linq.Expressions;

namespace Platform.Domain.Common;

/// <summary>
/// Puts an expression where a parameter was. Queries compiled once (<c>EF.CompileAsyncQuery</c>) are composed with it
/// from expressions that state a rule once: a resource's owner, a variable holder's row.
/// </summary>
internal sealed class ExpressionSubstitution(ParameterExpression parameter, Expression replacement) : ExpressionVisitor
{
    public static Expression Replace(Expression body, ParameterExpression parameter, Expression replacement) =>
        new ExpressionSubstitution(parameter, replacement).Visit(body);

    protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? replacement : base.VisitParameter(node);
}
